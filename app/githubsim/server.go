package githubsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxBody caps request bodies (GitHub rejects far smaller ones).
const maxBody = 32 << 20

// authKind says which credential a route takes.
type authKind int

const (
	authToken    authKind = iota // installation access token
	authJWT                      // the App's JWT
	authUser                     // an installation token or a user access token (oauth.go)
	authOptional                 // an installation token, or none for public reads (releases.go)
)

// request is one authenticated REST call handed to a route handler.
type request struct {
	r    *http.Request
	body []byte
	inst *installation // nil for JWT calls
	user string        // the login of a user access token
}

func (q *request) path(name string) string { return q.r.PathValue(name) }

// query returns a query parameter.
func (q *request) query(name string) string { return q.r.URL.Query().Get(name) }

// decode unmarshals the JSON body into v; an empty body leaves v alone.
func (q *request) decode(v any) *response {
	if len(bytes.TrimSpace(q.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(q.body, v); err != nil {
		r := apiError(http.StatusBadRequest, "Problems parsing JSON")
		return &r
	}
	return nil
}

// response is what a handler returns; serveAPI writes it.
type response struct {
	status int
	body   any
	header http.Header
	events []event
}

func ok(body any) response      { return response{status: http.StatusOK, body: body} }
func created(body any) response { return response{status: http.StatusCreated, body: body} }
func noContent() response       { return response{status: http.StatusNoContent} }

// handler serves one REST route with s.mu held.
type handler func(q *request) response

// handle registers a REST route: pattern is "METHOD /path" as GitHub's
// docs write it, served under /api/v3.
func (s *Sim) handle(pattern string, auth authKind, h handler) {
	method, path, _ := strings.Cut(pattern, " ")
	// Calls and recordings name routes as GitHub's docs do: {path}, not
	// ServeMux's {path...}.
	key := strings.ReplaceAll(pattern, "...}", "}")
	s.patterns = append(s.patterns, key)
	s.mux.HandleFunc(method+" /api/v3"+path, func(w http.ResponseWriter, r *http.Request) {
		s.serveAPI(w, r, key, auth, h)
	})
}

// serveAPI runs the common part of every REST call: counting, faults,
// authentication, rate limiting, ETags, recording and webhook fan-out.
func (s *Sim) serveAPI(w http.ResponseWriter, r *http.Request, pattern string, auth authKind, h handler) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		s.finish(w, r, pattern, body, apiError(http.StatusRequestEntityTooLarge, "Payload too large"))
		return
	}
	s.mu.Lock()
	s.learnBase(r)
	s.calls[pattern]++
	f, latency := s.pickFault(pattern)
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	if f != nil {
		s.finish(w, r, pattern, body, *f)
		return
	}

	s.mu.Lock()
	q := &request{r: r, body: body}
	bucket, denied := s.authenticate(r, auth, q)
	var resp response
	switch {
	case denied != nil:
		resp = *denied
	case bucket.exhausted(s.now()):
		resp = apiError(http.StatusForbidden, fmt.Sprintf("API rate limit exceeded for installation ID %d.", q.installationID()))
	default:
		resp = h(q)
	}
	encoded := s.encodeBody(resp)
	if r.Method == http.MethodGet && resp.status == http.StatusOK {
		tag := etagOf(encoded)
		if resp.header == nil {
			resp.header = http.Header{}
		}
		resp.header.Set("ETag", tag)
		if matchesETag(r.Header.Get("If-None-Match"), tag) {
			// A 304 does not count against the rate limit. It carries no
			// Link header: GitHub does not promise one (RFC 9110 lists
			// what a 304 must repeat, and Link is not among them), so a
			// client must not learn from a 304 where a list ends.
			resp.status, encoded = http.StatusNotModified, nil
			resp.header.Del("Link")
		}
	}
	if bucket != nil && denied == nil && resp.status != http.StatusNotModified {
		bucket.use(s.now())
		s.countRated(pattern)
	}
	if bucket != nil {
		if resp.header == nil {
			resp.header = http.Header{}
		}
		bucket.setHeaders(resp.header, s.now())
	}
	reqID := s.requestID()
	s.mu.Unlock()

	s.write(w, r, pattern, body, resp, encoded, reqID)
	if len(resp.events) > 0 {
		s.post(resp.events, false)
	}
}

// Route returns the REST route that serves r, named as [Sim.Calls] names
// it ("GET /repos/{owner}/{repo}/pulls/{pull_number}"), or "" when none
// does. Load tests use it to count an App's calls by route.
func (s *Sim) Route(r *http.Request) string {
	_, pattern := s.mux.Handler(r)
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || !strings.HasPrefix(path, "/api/v3/") {
		return ""
	}
	return method + " " + strings.ReplaceAll(strings.TrimPrefix(path, "/api/v3"), "...}", "}")
}

// finish writes a response built without the state lock.
func (s *Sim) finish(w http.ResponseWriter, r *http.Request, pattern string, body []byte, resp response) {
	s.mu.Lock()
	reqID := s.requestID()
	s.mu.Unlock()
	s.write(w, r, pattern, body, resp, s.encodeBody(resp), reqID)
}

// requestID is a fresh X-GitHub-Request-Id. Callers hold s.mu.
func (s *Sim) requestID() string {
	return fmt.Sprintf("%04X:%05X:%06X:%07X:%08X", 0xA1B2, 0x3C4D, s.id(), 0x5E6F7, s.nextID)
}

func (s *Sim) encodeBody(resp response) []byte {
	if resp.body == nil {
		return nil
	}
	b, err := s.encode(resp.body)
	if err != nil {
		// Our own shapes always marshal; fail loudly in the body.
		b = []byte(`{"message":"githubsim: cannot encode response"}`)
	}
	return b
}

// write sends the response and records the exchange under pattern
// ("METHOD /route", empty for unknown routes).
func (s *Sim) write(w http.ResponseWriter, r *http.Request, pattern string, reqBody []byte, resp response, body []byte, reqID string) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	// Canonical keys, as Set would store them (see setHeaders).
	h["X-Github-Request-Id"] = []string{reqID}
	h["X-Github-Media-Type"] = []string{"github.v3; format=json"}
	h["X-Github-Api-Version-Selected"] = []string{"2022-11-28"}
	if body != nil {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	s.log.Debug("githubsim request", "method", r.Method, "path", r.URL.Path, "status", resp.status)
	if s.rec != nil {
		// Record first, so the line exists once the client has its answer.
		_, route, _ := strings.Cut(pattern, " ")
		s.rec.record(r.Method, r.URL.RequestURI(), route, resp.status, reqBody, body)
	}
	w.WriteHeader(resp.status)
	if body != nil && r.Method != http.MethodHead {
		w.Write(body)
	}
}

// learnBase remembers the scheme and host clients use to reach us, so
// URLs in responses and webhooks point back at the simulator.
func (s *Sim) learnBase(r *http.Request) {
	if r.Host == "" {
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	s.base = scheme + "://" + r.Host
}

// routes registers every REST and control route.
func (s *Sim) routes() {
	s.mux = http.NewServeMux()
	s.appRoutes()
	s.hookDeliveryRoutes()
	s.repoRoutes()
	s.refRoutes()
	s.pullRoutes()
	s.reviewRoutes()
	s.commentRoutes()
	s.reviewRequestRoutes()
	s.reactionRoutes()
	s.timelineRoutes()
	s.teamRoutes()
	s.checkRoutes()
	s.treeRoutes()
	s.checkSuiteRoutes()
	s.statusRoutes()
	s.dispatchRoutes()
	s.attestationRoutes()
	s.releaseRoutes()
	s.mergeQueueRoutes()
	s.controlRoutes()
	s.oauthRoutes()
	s.manifestRoutes()
	s.deploymentRoutes()
	s.mux.HandleFunc("/api/v3/", func(w http.ResponseWriter, r *http.Request) {
		s.finish(w, r, "", nil, notFound())
	})
}
