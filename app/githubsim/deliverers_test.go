package githubsim

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestDeliverersInFlight checks that Options.Deliverers lets that many
// deliveries be in flight at once: a receiver that answers only once
// three deliveries are waiting on it would deadlock with one deliverer.
func TestDeliverersInFlight(t *testing.T) {
	e := newEnv(t, Options{Deliverers: 3})
	var mu sync.Mutex
	waiting := 0
	all := make(chan struct{})
	blocking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		waiting++
		if waiting == 3 {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(3 * time.Second):
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(blocking.Close)
	e.sim.SetWebhookURL(blocking.URL)
	// Push waits for its delivery, so push from three goroutines.
	var wg sync.WaitGroup
	for _, b := range []string{"a", "b", "c"} {
		wg.Go(func() {
			if _, err := e.sim.Push("acme", "payments", b, map[string]string{b: "1\n"}, nil, "alice"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	e.sim.WaitDeliveries()
	for _, d := range e.sim.Deliveries() {
		if d.Event == "push" && d.StatusCode != http.StatusAccepted {
			t.Errorf("push delivery answered %d, want 202 (deliveries were not concurrent)", d.StatusCode)
		}
	}
}

// TestRoute checks that Route names a request's route as Calls does.
func TestRoute(t *testing.T) {
	s := New(Options{})
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/api/v3/repos/acme/payments/pulls/7", "GET /repos/{owner}/{repo}/pulls/{pull_number}"},
		{"PATCH", "/api/v3/repos/acme/payments/check-runs/9", "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"},
		{"GET", "/api/v3/repos/acme/payments/contents/.github/zgate.yml", "GET /repos/{owner}/{repo}/contents/{path}"},
		{"GET", "/api/v3/nowhere", ""},
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		if got := s.Route(r); got != c.want {
			t.Errorf("Route(%s %s) = %q, want %q", c.method, c.path, got, c.want)
		}
	}
}
