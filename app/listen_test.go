package app

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveLimited serves h with the HTTP limits of o on 127.0.0.1.
func serveLimited(t *testing.T, o Options, h http.Handler) string {
	t.Helper()
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := newHTTPServer(o, h)
	go hs.Serve(limitListener(o, ln))
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

func limitedOptions() Options {
	return Options{AppID: 1, PrivateKey: []byte("k"), WebhookSecret: Secret("s")}
}

// TestServeCutsSlowBodies: a body sent at a byte per 100 ms does not hold
// its connection past the read timeout.
func TestServeCutsSlowBodies(t *testing.T) {
	o := limitedOptions()
	o.ReadTimeout = 500 * time.Millisecond
	readErr := make(chan error, 1)
	addr := serveLimited(t, o, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.Copy(io.Discard, r.Body)
		readErr <- err
	}))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
	start := time.Now()
	go func() {
		for range 100 {
			time.Sleep(100 * time.Millisecond)
			if _, err := c.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	select {
	case err := <-readErr:
		if err == nil {
			t.Errorf("the slow body was read to its end, want a timeout")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("slow body held the connection %v, want about the 500ms read timeout", d)
		}
	case <-time.After(8 * time.Second):
		t.Fatalf("a body sent at 10 bytes/s was still being read after 8s; no read timeout")
	}
}

// TestServeCapsHeaderBytes: headers past MaxHeaderBytes get 431.
func TestServeCapsHeaderBytes(t *testing.T) {
	o := limitedOptions()
	addr := serveLimited(t, o, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/webhook", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Junk", strings.Repeat("x", 400<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("400 KB of headers: status %d, want 431", resp.StatusCode)
	}
}

// TestServeCapsConnections: past MaxConns, a connection is not served
// until another closes.
func TestServeCapsConnections(t *testing.T) {
	o := limitedOptions()
	o.MaxConns = 2
	addr := serveLimited(t, o, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := http.ReadResponse(br, nil); err == nil {
		t.Fatalf("a third connection was served with MaxConns 2")
	}
	held[0].Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the waiting connection was not served after another closed: %v", err)
	}
	resp.Body.Close()
}

// TestOptionsHTTPDefaults: every limit has a default.
func TestOptionsHTTPDefaults(t *testing.T) {
	o := limitedOptions()
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
	hs := newHTTPServer(o, http.NotFoundHandler())
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.WriteTimeout <= 0 || hs.IdleTimeout <= 0 || hs.MaxHeaderBytes <= 0 || o.MaxConns <= 0 {
		t.Errorf("HTTP server limits %+v, MaxConns %d; want all set", hs, o.MaxConns)
	}
}
