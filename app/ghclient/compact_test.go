package ghclient

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// pullBody is a pull request as GitHub sends it (compact JSON, about
// 14 KB, the base and head repository objects embedded), numbered n.
func pullBody(t testing.TB, n int) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/rest_pull.json")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(buf.Bytes(), []byte("/pulls/1"), fmt.Appendf(nil, "/pulls/%d", n))
}

// parsedAnswer is a 200 the way net/http hands it over: headers parsed
// from the wire (GitHub sends about twenty), the body streamed.
type parsedAnswer struct{ body func(n int) []byte }

func (p parsedAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	var n int
	fmt.Sscanf(req.URL.Path, "/repos/acme/payments/pulls/%d", &n)
	etag := fmt.Sprintf(`W/"%064x"`, n)
	if req.Header.Get("If-None-Match") == etag {
		return http.ReadResponse(bufio.NewReader(strings.NewReader("HTTP/1.1 304 Not Modified\r\nEtag: "+etag+"\r\nX-Ratelimit-Remaining: 4999\r\n\r\n")), req)
	}
	body := p.body(n)
	var raw bytes.Buffer
	fmt.Fprintf(&raw, "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nEtag: %s\r\n", etag)
	for _, h := range []string{"Cache-Control: private, max-age=60, s-maxage=60", "Vary: Accept, Authorization, Cookie, X-GitHub-OTP",
		"X-Github-Media-Type: github.v3; format=json", "X-Github-Api-Version-Selected: 2022-11-28", "X-Ratelimit-Limit: 5000",
		"X-Ratelimit-Remaining: 4999", "X-Ratelimit-Reset: 1700000000", "X-Ratelimit-Used: 1", "X-Ratelimit-Resource: core",
		"Access-Control-Expose-Headers: ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining",
		"Access-Control-Allow-Origin: *", "Strict-Transport-Security: max-age=31536000; includeSubdomains; preload",
		"X-Frame-Options: deny", "X-Content-Type-Options: nosniff", "X-Xss-Protection: 0",
		"Referrer-Policy: origin-when-cross-origin, strict-origin-when-cross-origin", "Content-Security-Policy: default-src 'none'",
		"Server: github.com", "X-Github-Request-Id: C0DE:1234:5678:9ABC:65000000"} {
		raw.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&raw, "Content-Length: %d\r\n\r\n", len(body))
	raw.Write(body)
	return http.ReadResponse(bufio.NewReader(&raw), req)
}

// TestETagCacheMemoryPerPullRequest: the memory the cache holds is what
// it charges against its budget (so --github-cache-mb means what it
// says), and a pull request's answer costs a fraction of its 14 KB body,
// so the default budget keeps far more than 1,000 open pull requests.
func TestETagCacheMemoryPerPullRequest(t *testing.T) {
	const n = 1000
	bodies := make([][]byte, n+1)
	for i := 1; i <= n; i++ {
		bodies[i] = pullBody(t, i)
	}
	c := newETagCache(0, DefaultCacheBytes)
	tr := &etagTransport{next: parsedAnswer{body: func(i int) []byte { return bodies[i] }}, cache: c, identity: "installation:1"}
	get := func(i int) {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("https://api.github.com/repos/acme/payments/pulls/%d", i), nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get(1) // pools, type caches
	before := heapInUse()
	for i := 2; i <= n; i++ {
		get(i)
	}
	held := heapInUse() - before
	runtime.KeepAlive(tr)
	if c.len() != n {
		t.Fatalf("cached %d answers, want %d (none evicted)", c.len(), n)
	}
	charged := c.bytes
	t.Logf("%d pull requests of %d bytes: %d bytes held, %d charged, %d held per pull request", n, len(bodies[n]), held, charged, held/(n-1))
	if limit := charged + charged/10 + 64<<10; held > limit {
		t.Errorf("the cache holds %d bytes but charges %d: its budget undercounts", held, charged)
	}
	if per := held / (n - 1); per > int64(len(bodies[n]))/3 {
		t.Errorf("a cached pull request holds %d bytes, want at most a third of its %d-byte body", per, len(bodies[n]))
	}
}

// TestETagCacheDeflatedConcurrently: workers asking for the same and
// different pull requests at once, through 200s and 304s, each get the
// body GitHub sent, byte for byte (run with -race).
func TestETagCacheDeflatedConcurrently(t *testing.T) {
	const prs, workers, rounds = 20, 8, 30
	bodies := make([][]byte, prs+1)
	for i := 1; i <= prs; i++ {
		bodies[i] = pullBody(t, i)
	}
	tr := &etagTransport{next: parsedAnswer{body: func(i int) []byte { return bodies[i] }}, cache: newETagCache(0, DefaultCacheBytes), identity: "installation:1"}
	errs := make(chan error, workers)
	var hits atomic.Int64
	for w := range workers {
		go func() {
			for r := range rounds {
				i := (w+r)%prs + 1
				req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("https://api.github.com/repos/acme/payments/pulls/%d", i), nil)
				resp, err := tr.RoundTrip(req)
				if err != nil {
					errs <- err
					return
				}
				if resp.Header.Get(fromCacheHeader) != "" {
					hits.Add(1)
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || !bytes.Equal(got, bodies[i]) {
					errs <- fmt.Errorf("pull %d, round %d: body of %d bytes differs from GitHub's %d (from cache: %q), err %v", i, r, len(got), len(bodies[i]), resp.Header.Get(fromCacheHeader), err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if hits.Load() == 0 {
		t.Error("no answer came from the cache: the test did not inflate anything")
	}
}

// heapInUse is the live heap after a full collection.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestCompactRoundTrip: whatever the cache keeps, it hands back the body
// byte for byte, deflated or not.
func TestCompactRoundTrip(t *testing.T) {
	var d deflaters
	incompressible := make([]byte, 4096)
	for i := range incompressible {
		incompressible[i] = byte(i*7919 + i*i*31)
	}
	for name, body := range map[string][]byte{
		"pull request":   pullBody(t, 7),
		"small":          []byte(`{"sha":"abc"}`),
		"empty":          {},
		"incompressible": incompressible,
		"list":           []byte("[" + strings.Repeat(`{"path":"deploy/prod/x.yml","status":"modified"},`, 200) + "{}]"),
	} {
		t.Run(name, func(t *testing.T) {
			stored, rawLen := d.compact(append(make([]byte, 0, 2*len(body)+1), body...))
			if cap(stored) > len(stored)+len(stored)/8+64 {
				t.Errorf("stored %d bytes in a slice of %d", len(stored), cap(stored))
			}
			if rawLen > 0 && len(stored) > len(body)*3/4 {
				t.Errorf("deflated %d bytes to %d: not worth keeping deflated", len(body), len(stored))
			}
			for range 2 { // the second time through pooled state
				got, err := d.expand(&etagEntry{stored: stored, rawLen: rawLen})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, body) {
					t.Fatalf("expanded body differs from the original (%d vs %d bytes)", len(got), len(body))
				}
			}
		})
	}
	if stored, rawLen := d.compact(pullBody(t, 1)); rawLen == 0 || len(stored) > rawLen/3 {
		t.Errorf("a pull request deflated to %d of %d bytes, want at most a third", len(stored), rawLen)
	}
}

// TestCompactRefusesCorruption: a stored body that does not inflate to
// its recorded length is an error, never a short or padded body.
func TestCompactRefusesCorruption(t *testing.T) {
	var d deflaters
	body := pullBody(t, 3)
	stored, rawLen := d.compact(body)
	if rawLen == 0 {
		t.Fatal("the pull request was not deflated")
	}
	for name, e := range map[string]*etagEntry{
		"longer than recorded":  {stored: stored, rawLen: rawLen - 1},
		"shorter than recorded": {stored: stored, rawLen: rawLen + 1},
		"truncated":             {stored: stored[:len(stored)/2], rawLen: rawLen},
	} {
		if got, err := d.expand(e); err == nil {
			t.Errorf("%s: expand = %d bytes, nil; want an error", name, len(got))
		}
	}
}

// BenchmarkCompact is the CPU a cached pull request costs: deflating it
// once per 200 answer, inflating it once per 304.
func BenchmarkCompact(b *testing.B) {
	var d deflaters
	body := pullBody(b, 1)
	stored, rawLen := d.compact(body)
	b.Run("deflate", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for range b.N {
			d.compact(body)
		}
	})
	b.Run("inflate", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		e := &etagEntry{stored: stored, rawLen: rawLen}
		for range b.N {
			if _, err := d.expand(e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
