package githubsim

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/ from the current output")

// TestGolden pins the JSON shapes of webhooks and REST answers the App
// relies on: a deterministic simulator (fixed clock, fixed address) and
// one file per payload under testdata/golden/.
func TestGolden(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	_, key := loadKey(t)
	rc := &receiver{t: t}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	s := New(Options{Now: func() time.Time { return now }, BaseURL: "http://ghe.test"})
	defer s.WaitDeliveries()
	s.RegisterApp(testAppID, &key.PublicKey, hs.URL, testSecret)
	must(t, s.CreateRepo("acme", "payments", map[string]string{"deploy/prod/app.yaml": "replicas: 2\n"}))
	head, err := s.Push("acme", "payments", "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"}, nil, "alice")
	must(t, err)
	n, err := s.OpenPR("acme", "payments", PROptions{Head: "scale", Title: "Scale up", Author: "alice", Labels: []string{"prod"}})
	must(t, err)
	_, err = s.SubmitReview("acme", "payments", n, "bob", "APPROVE", "lgtm")
	must(t, err)
	_, err = s.Comment("acme", "payments", n, "carol", "/zgate override: outage")
	must(t, err)
	must(t, s.AddTeamMember("acme", "sre", "bob", "active"))

	s.mu.Lock()
	s.tokens["ghs_golden"] = &token{inst: s.instByOwner["acme"], expires: now.Add(time.Hour)}
	s.mu.Unlock()
	rest := func(method, path, body string) []byte {
		req := httptest.NewRequest(method, "http://ghe.test/api/v3"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "token ghs_golden")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		if w.Code >= 300 {
			t.Fatalf("%s %s = %d: %s", method, path, w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
	got := map[string][]byte{
		"rest_pull.json":       rest(http.MethodGet, "/repos/acme/payments/pulls/1", ""),
		"rest_reviews.json":    rest(http.MethodGet, "/repos/acme/payments/pulls/1/reviews", ""),
		"rest_files.json":      rest(http.MethodGet, "/repos/acme/payments/pulls/1/files", ""),
		"rest_contents.json":   rest(http.MethodGet, "/repos/acme/payments/contents/deploy/prod/app.yaml?ref="+head, ""),
		"rest_check_run.json":  rest(http.MethodPost, "/repos/acme/payments/check-runs", `{"name":"zgate/production","head_sha":"`+head+`","status":"completed","conclusion":"success","output":{"title":"Open","summary":"2 of 2"}}`),
		"rest_membership.json": rest(http.MethodGet, "/orgs/acme/teams/sre/memberships/bob", ""),
	}
	s.WaitDeliveries()
	rc.mu.Lock()
	for _, h := range rc.hooks {
		name := "hook_" + h.Event
		if h.Action != "" {
			name += "_" + h.Action
		}
		b, err := json.Marshal(h.Payload)
		must(t, err)
		got[name+".json"] = b
	}
	rc.mu.Unlock()

	for name, b := range got {
		var pretty bytes.Buffer
		must(t, json.Indent(&pretty, b, "", "  "))
		pretty.WriteByte('\n')
		path := filepath.Join("testdata", "golden", name)
		if *update {
			must(t, os.MkdirAll(filepath.Dir(path), 0o755))
			must(t, os.WriteFile(path, pretty.Bytes(), 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run with -update)", name, err)
			continue
		}
		if !bytes.Equal(pretty.Bytes(), want) {
			t.Errorf("%s differs from the golden file (run with -update and review the diff):\n%s", name, firstDiff(pretty.String(), string(want)))
		}
	}
}

// firstDiff shows the first differing line of got and want.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return "line " + itoa(i+1) + ":\n got: " + g[i] + "\nwant: " + w[i]
		}
	}
	return "lengths differ"
}
