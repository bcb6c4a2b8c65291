package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"
)

// startPprof serves Go's profiles (net/http/pprof) on their own listener
// at o.DebugPprof until ctx ends. They are never on the webhook listener:
// a heap profile or a 30-second CPU profile is for the operator (bind it
// to localhost), not for whoever can reach the webhook URL. It returns the
// address listened on; "" when o.DebugPprof is empty.
func startPprof(ctx context.Context, wg *sync.WaitGroup, o Options) (string, error) {
	if o.DebugPprof == "" {
		return "", nil
	}
	ln, err := net.Listen("tcp", o.DebugPprof)
	if err != nil {
		return "", fmt.Errorf("%w: listen for --debug-pprof on %s: %w", ErrConfig, o.DebugPprof, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: o.ReadHeaderTimeout}
	wg.Go(func() { _ = hs.Serve(ln) })
	wg.Go(func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	})
	o.Logger.Warn("Go profiles served for debugging; keep this address private", "addr", ln.Addr().String())
	return ln.Addr().String(), nil
}
