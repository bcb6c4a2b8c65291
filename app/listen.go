package app

import (
	"net"
	"net/http"

	"golang.org/x/net/netutil"
)

// newHTTPServer returns the App's HTTP server with every limit of o set:
// without them one client can hold a connection forever (a body sent at a
// byte a second, an idle keep-alive) or make the server buffer huge
// headers. The webhook handler also bounds its own body reads.
func newHTTPServer(o Options, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    o.MaxHeaderBytes,
	}
}

// limitListener caps the connections served at once at o.MaxConns: past
// the cap, new connections wait in the kernel's backlog instead of each
// costing a goroutine and buffers.
func limitListener(o Options, ln net.Listener) net.Listener {
	if o.MaxConns <= 0 {
		return ln
	}
	return netutil.LimitListener(ln, o.MaxConns)
}
