package githubsim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// FuzzVerifyJWT feeds arbitrary tokens to the App JWT check: it must
// never panic and must accept only tokens signed by the App's key.
func FuzzVerifyJWT(f *testing.F) {
	_, key := loadKey(f)
	now := time.Unix(1_800_000_000, 0)
	s := New(Options{Now: func() time.Time { return now }})
	s.RegisterApp(testAppID, &key.PublicKey, "", "")
	good, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": strconv.Itoa(testAppID), "iat": now.Add(-time.Minute).Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}).SignedString(key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-3] + "abc")
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiI0MiJ9.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		s.mu.Lock()
		err := s.verifyJWT(tok)
		s.mu.Unlock()
		if err == nil && tok != good {
			// Any other accepted token must still verify with our key.
			if _, perr := jwt.Parse(tok, func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
				jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation()); perr != nil {
				t.Errorf("accepted %q that does not verify: %v", tok, perr)
			}
		}
	})
}

// FuzzMatchesETag checks If-None-Match parsing never panics and that a
// header naming the tag matches.
func FuzzMatchesETag(f *testing.F) {
	f.Add(`W/"abc"`, `W/"abc"`)
	f.Add(`"abc", W/"def"`, `W/"def"`)
	f.Add(`*`, `"x"`)
	f.Add(``, `"x"`)
	f.Fuzz(func(t *testing.T, header, tag string) {
		matchesETag(header, tag)
		if tag != "" && strings.TrimSpace(tag) == tag && !strings.Contains(tag, ",") && !matchesETag(tag, tag) {
			t.Errorf("tag %q does not match itself", tag)
		}
	})
}

// FuzzCursor round-trips attestation cursors and rejects junk without
// panicking.
func FuzzCursor(f *testing.F) {
	f.Add(0, "aWR4OjM")
	f.Add(42, "bogus")
	f.Fuzz(func(t *testing.T, n int, c string) {
		if n >= 0 {
			got, err := decodeCursor(encodeCursor(n))
			if err != nil || got != n {
				t.Errorf("cursor round trip %d = %d, %v", n, got, err)
			}
		}
		decodeCursor(c)
	})
}

// FuzzPredicateType digs through arbitrary bundles without panicking.
func FuzzPredicateType(f *testing.F) {
	f.Add([]byte(`{"dsseEnvelope":{"payload":"eyJwcmVkaWNhdGVUeXBlIjoieCJ9"}}`))
	f.Add([]byte(`{"dsseEnvelope":{"payload":"!!"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) { predicateType(b) })
}

// FuzzRequestBodies posts arbitrary bodies to every writing route: the
// simulator must answer with a status GitHub documents, never panic,
// and never answer 5xx.
func FuzzRequestBodies(f *testing.F) {
	e := newEnv(f, Options{RateLimit: -1})
	n, head := e.openPR(f, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	tok, _, err := e.appClient(f).Apps.CreateInstallationToken(f.Context(), e.sim.InstallationID("acme"), nil)
	if err != nil {
		f.Fatal(err)
	}
	routes := []string{
		"POST /repos/acme/payments/check-runs",
		"PATCH /repos/acme/payments/check-runs/1",
		"POST /repos/acme/payments/statuses/" + head,
		"PUT /repos/acme/payments/pulls/" + strconv.Itoa(n) + "/merge",
		"PUT /repos/acme/payments/pulls/" + strconv.Itoa(n) + "/reviews/1/dismissals",
		"POST /repos/acme/payments/issues/" + strconv.Itoa(n) + "/comments",
		"POST /repos/acme/payments/actions/workflows/x.yml/dispatches",
		"POST /repos/acme/payments/dispatches",
	}
	for i := range routes {
		f.Add(uint8(i), []byte(`{"name":"a","head_sha":"`+head+`","status":"completed","conclusion":"success","output":{"title":"t","summary":"s"}}`))
		f.Add(uint8(i), []byte(`{"state":"success","description":"d","sha":"`+head+`","ref":"main","event_type":"e","body":"b","message":"m"}`))
		f.Add(uint8(i), []byte(`{"merge_method":7}`))
		f.Add(uint8(i), []byte(`not json`))
	}
	h := e.sim.Handler()
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		method, path, _ := bytes.Cut([]byte(routes[int(route)%len(routes)]), []byte(" "))
		req := httptest.NewRequest(string(method), "/api/v3"+string(path), bytes.NewReader(body))
		req.Header.Set("Authorization", "token "+tok.GetToken())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusCreated, http.StatusNoContent, http.StatusBadRequest, http.StatusNotFound,
			http.StatusMethodNotAllowed, http.StatusConflict, http.StatusUnprocessableEntity:
		default:
			t.Errorf("%s %s with %q = %d", method, path, body, rec.Code)
		}
	})
}
