package load

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// observer watches both directions between the simulator and zgate: the
// simulator's webhook deliveries (as its HTTP transport) and zgate's REST
// calls (as a wrapper around the simulator's handler). From them it counts
// calls by route and measures, per review event, zgate's own latency.
type observer struct {
	sim  *githubsim.Sim
	next http.RoundTripper
	// latency delays every answer of the simulator's API, as GitHub's
	// round trip would (BenchmarkGitHubLatency); 0 for none. Set before
	// zgate starts.
	latency time.Duration

	mu       sync.Mutex
	prByHead map[string]int
	prByRun  map[int64]int
	calls    map[string]*routeCalls
	prs      map[int]*prTrack
	// lat holds the latencies of review events answered by a check-run
	// write, since the last take.
	lat []time.Duration
	// sent, lost count review deliveries, and those zgate did not accept.
	sent, lost int
	// otherLost counts other deliveries zgate did not accept.
	otherLost int
	// deliveries counts every delivery sent, reviews and others.
	deliveries int
	// waiting is the sum of the prTracks' pending: the harness polls it
	// every few milliseconds.
	waiting int
	writes  int
	written map[int]bool // pull requests with a check-run write
	// first and last are when the first and the last call since the last
	// take arrived.
	first, last time.Time
}

// routeCalls counts one route's calls and those that count against the
// rate limit (every answer but a 304).
type routeCalls struct{ calls, rated int }

// prTrack follows one pull request's review events to the check-run
// write that answers them.
type prTrack struct {
	// pending are the send times of review deliveries not yet answered.
	pending []time.Time
	// evalStart is when the first call about this pull request arrived
	// after its last check-run write: the start of the evaluation that
	// will write next. A delivery sent after it is answered by a later
	// write.
	evalStart time.Time
	// spans are the simulator's answers to calls about this pull request:
	// GitHub's time, subtracted from zgate's latency.
	spans []span
	// lastWrite is when the last check-run write arrived.
	lastWrite time.Time
}

type span struct {
	start time.Time
	d     time.Duration
}

// newObserver returns an observer delivering over a transport that keeps
// a connection per deliverer: http.DefaultTransport keeps two idle per
// host, so 16 concurrent deliveries dialled anew most of the time.
func newObserver(deliverers int) *observer {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = deliverers
	return &observer{next: tr, prByHead: map[string]int{}, prByRun: map[int64]int{},
		calls: map[string]*routeCalls{}, prs: map[int]*prTrack{}, written: map[int]bool{}}
}

func (o *observer) track(n int) *prTrack {
	p := o.prs[n]
	if p == nil {
		p = &prTrack{}
		o.prs[n] = p
	}
	return p
}

// RoundTrip sends one webhook delivery of the simulator and notes when a
// review event left and whether zgate accepted it.
func (o *observer) RoundTrip(r *http.Request) (*http.Response, error) {
	review := r.Header.Get("X-GitHub-Event") == "pull_request_review"
	n := 0
	var sent time.Time
	if review {
		body, err := readBody(r)
		if err != nil {
			return nil, err
		}
		n = pullNumber(body)
		sent = time.Now()
		o.mu.Lock()
		o.sent++
		t := o.track(n)
		t.pending = append(t.pending, sent)
		o.waiting++
		o.mu.Unlock()
	}
	o.mu.Lock()
	o.deliveries++
	o.mu.Unlock()
	resp, err := o.next.RoundTrip(r)
	if err == nil && resp.StatusCode < 300 {
		return resp, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !review {
		o.otherLost++
		return resp, err
	}
	o.lost++
	t := o.track(n)
	if i := slices.Index(t.pending, sent); i >= 0 {
		t.pending = slices.Delete(t.pending, i, i+1)
		o.waiting--
	}
	return resp, err
}

const (
	routeCreateRun = "POST /repos/{owner}/{repo}/check-runs"
	routeUpdateRun = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"
	routeGetRun    = "GET /repos/{owner}/{repo}/check-runs/{check_run_id}"
)

// sameEvaluation is how close a check-run write must follow the previous
// one, with no other call about the pull request between, to count as
// the same evaluation's (zgate writes one check run per gate and one
// summary).
const sameEvaluation = 100 * time.Millisecond

// wrap returns the simulator's handler, observed.
func (o *observer) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := o.sim.Route(r)
		n := 0
		write := route == routeCreateRun || route == routeUpdateRun
		var body []byte
		if r.Method != http.MethodGet {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		o.mu.Lock()
		switch {
		case route == routeCreateRun:
			var b struct {
				HeadSHA string `json:"head_sha"`
			}
			_ = json.Unmarshal(body, &b)
			n = o.prByHead[b.HeadSHA]
		case route == routeUpdateRun || route == routeGetRun:
			id, _ := strconv.ParseInt(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], 10, 64)
			n = o.prByRun[id]
		default:
			n = o.attribute(r.URL.Path)
		}
		if write && n != 0 {
			o.answered(n, start)
		}
		o.mu.Unlock()

		rec := &recorder{ResponseWriter: w, keep: route == routeCreateRun}
		if o.latency > 0 {
			time.Sleep(o.latency)
		}
		h.ServeHTTP(rec, r)
		d := time.Since(start)

		o.mu.Lock()
		defer o.mu.Unlock()
		rc := o.calls[route]
		if rc == nil {
			rc = &routeCalls{}
			o.calls[route] = rc
		}
		rc.calls++
		if o.first.IsZero() {
			o.first = start
		}
		o.last = start.Add(d)
		if rec.status != http.StatusNotModified {
			rc.rated++
		}
		if route == routeCreateRun && n != 0 {
			if id := jsonInt(rec.body.Bytes(), "id"); id != 0 {
				o.prByRun[int64(id)] = n
			}
		}
		if n != 0 && !write {
			t := o.track(n)
			if t.evalStart.IsZero() {
				t.evalStart = start
			}
			if len(t.pending) > 0 {
				t.spans = append(t.spans, span{start, d})
			}
		}
	})
}

// attribute returns the pull request a call is about: its number in the
// path, or its head commit. Callers hold o.mu.
func (o *observer) attribute(path string) int {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if p == "pulls" && i+1 < len(parts) {
			if n, err := strconv.Atoi(parts[i+1]); err == nil {
				return n
			}
		}
		if len(p) == 40 {
			if n, ok := o.prByHead[p]; ok {
				return n
			}
		}
	}
	return 0
}

// answered resolves pull request n's review events that the evaluation
// ending in a check-run write at t saw. Callers hold o.mu.
func (o *observer) answered(n int, t time.Time) {
	o.writes++
	o.written[n] = true
	p := o.track(n)
	cut := t
	switch {
	case !p.evalStart.IsZero():
		cut = p.evalStart
	case t.Sub(p.lastWrite) < sameEvaluation:
		// A further write of the evaluation that just wrote: what it
		// answers, the first write answered.
		p.lastWrite = t
		return
	}
	p.lastWrite = t
	keep := p.pending[:0]
	for _, sent := range p.pending {
		if !sent.Before(cut) {
			keep = append(keep, sent)
			continue
		}
		var github time.Duration
		for _, s := range p.spans {
			if !s.start.Before(sent) && s.start.Before(t) {
				github += s.d
			}
		}
		o.lat = append(o.lat, t.Sub(sent)-github)
	}
	o.waiting -= len(p.pending) - len(keep)
	p.pending = keep
	p.evalStart = time.Time{}
	if len(keep) == 0 {
		p.spans = p.spans[:0]
	} else {
		oldest := keep[0]
		p.spans = slices.DeleteFunc(p.spans, func(s span) bool { return s.start.Before(oldest) })
	}
}

// snapshot is what an observer saw during one phase.
type snapshot struct {
	calls     map[string]routeCalls
	lat       []time.Duration
	sent      int
	lost      int
	otherLost int
	// deliveries is every webhook delivery sent in the phase.
	deliveries int
	pending    int
	writes     int
	// first and last bound the calls seen.
	first, last time.Time
}

// take returns what was seen since the last take and starts afresh.
// Events still waiting for their write are counted as pending and
// dropped, so that a phase that fell behind does not charge the next.
func (o *observer) take() snapshot {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := snapshot{calls: map[string]routeCalls{}, lat: o.lat, sent: o.sent, lost: o.lost, otherLost: o.otherLost, deliveries: o.deliveries, writes: o.writes, first: o.first, last: o.last}
	for k, v := range o.calls {
		s.calls[k] = *v
	}
	for _, p := range o.prs {
		s.pending += len(p.pending)
		p.pending, p.spans = nil, nil
	}
	o.calls = map[string]*routeCalls{}
	o.lat = nil
	o.sent, o.lost, o.otherLost, o.writes, o.deliveries, o.waiting = 0, 0, 0, 0, 0, 0
	o.first, o.last = time.Time{}, time.Time{}
	return s
}

// pendingEvents returns how many review events wait for their write.
func (o *observer) pendingEvents() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.waiting
}

// writtenPRs returns how many pull requests have had a check-run write.
func (o *observer) writtenPRs() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.written)
}

// recorder notes a response's status and, when keep, its body.
type recorder struct {
	http.ResponseWriter
	status int
	keep   bool
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.keep {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

// readBody returns a delivery's body and leaves the request able to send
// it: the simulator's requests can give their body again (GetBody).
func readBody(r *http.Request) ([]byte, error) {
	if r.GetBody == nil {
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		return body, err
	}
	rc, err := r.GetBody()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	// ReadFrom wants MinRead bytes free before it reads to the end.
	buf.Grow(int(max(r.ContentLength, 0)) + bytes.MinRead)
	_, err = buf.ReadFrom(rc)
	return buf.Bytes(), err
}

// pullNumber returns a webhook payload's pull_request.number, 0 when it
// has none.
func pullNumber(b []byte) int { return jsonInt(b, "pull_request", "number") }

// jsonInt returns the non-negative integer at path (object keys from the
// top) in the JSON document b, 0 when there is none. It scans the bytes
// rather than decode them: the observer sees every review delivery, tens
// of kilobytes each, and decoding them cost the test process a tenth of
// its CPU.
func jsonInt(b []byte, path ...string) int {
	// depth counts the objects and arrays open at i; matched how many
	// keys of path lead to the object being searched (depth matched+1).
	depth, matched := 0, 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			end := stringEnd(b, i)
			if end < 0 {
				return 0
			}
			key := b[i+1 : end] // compared as string(key), which does not copy
			i = end
			j := skipSpace(b, end+1)
			if j >= len(b) || b[j] != ':' || depth != matched+1 || string(key) != path[matched] {
				continue // a value, or another key
			}
			k := skipSpace(b, j+1)
			if matched == len(path)-1 {
				n := 0
				for ; k < len(b) && b[k] >= '0' && b[k] <= '9'; k++ {
					n = n*10 + int(b[k]-'0')
				}
				return n
			}
			if k < len(b) && b[k] == '{' {
				matched++
				depth++
				i = k
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if matched > 0 && depth == matched {
				return 0 // the object searched ended without the key
			}
		}
	}
	return 0
}

// stringEnd returns the index of the quote that closes the JSON string
// opening at b[start], or -1.
func stringEnd(b []byte, start int) int {
	for i := start + 1; ; i++ {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		i += j
		// Escaped when an odd number of backslashes precede it.
		n := 0
		for k := i - 1; k > start && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return i
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
