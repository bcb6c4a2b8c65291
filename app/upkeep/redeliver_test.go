package upkeep

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
)

// app is a webhook endpoint answering status, recording what it got.
type app struct {
	mu     sync.Mutex
	status int
	got    map[string]int // deliveries by GUID
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got[r.Header.Get("X-GitHub-Delivery")]++
	w.WriteHeader(a.status)
}

func (a *app) set(status int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.status = status
	a.got = map[string]int{}
}

type seenSet map[string]bool

func (s seenSet) DeliverySeen(_ context.Context, id string) (bool, error) { return s[id], nil }

func newRedeliverer(t *testing.T, status int) (*ghclienttest.Env, *app, *Redeliverer) {
	t.Helper()
	env := ghclienttest.New(t, nil)
	a := &app{}
	a.set(status)
	hooks := httptest.NewServer(a)
	t.Cleanup(hooks.Close)
	key := env.Key
	env.Sim.RegisterApp(ghclienttest.AppID, &key.PublicKey, hooks.URL, "secret")
	if err := env.Sim.CreateRepo("acme", "payments", map[string]string{"README.md": "hi\n"}); err != nil {
		t.Fatal(err)
	}
	r := &Redeliverer{
		App: env.Apps.App, Seen: seenSet{}, Window: time.Hour, Max: 100,
		Now: time.Now, Logger: slog.New(slog.DiscardHandler),
	}
	return env, a, r
}

func push(t *testing.T, env *ghclienttest.Env, n int) {
	t.Helper()
	for i := range n {
		if _, err := env.Sim.Push("acme", "payments", "main", map[string]string{"f": fmt.Sprint(i)}, nil, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	env.Sim.WaitDeliveries()
}

// TestRedeliverFailed: deliveries the App answered 503 are asked for
// again, once each, under the same GUID; the next run finds nothing left.
func TestRedeliverFailed(t *testing.T) {
	env, a, r := newRedeliverer(t, http.StatusServiceUnavailable)
	push(t, env, 3)
	failed := env.Sim.Deliveries()
	a.set(http.StatusAccepted)
	st, err := r.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	env.Sim.WaitDeliveries()
	if st.Redelivered != 3 {
		t.Errorf("Run() = %+v, want 3 redelivered", st)
	}
	for _, d := range failed {
		if a.got[d.ID] != 1 {
			t.Errorf("delivery %s redelivered %d times, want 1", d.ID, a.got[d.ID])
		}
	}
	st, err = r.Run(t.Context())
	if err != nil || st.Redelivered != 0 {
		t.Errorf("second Run() = %+v, %v; want nothing left to redeliver", st, err)
	}
}

// TestRedeliverBounded: what the store took in, what a new attempt
// cannot fix, what GitHub tried MaxAttempts times, what is older than
// the window and what exceeds Max per run are not asked for.
func TestRedeliverBounded(t *testing.T) {
	env, a, r := newRedeliverer(t, http.StatusServiceUnavailable)
	push(t, env, 4)
	ds := env.Sim.Deliveries()
	r.Seen = seenSet{ds[0].ID: true}
	// ds[1] fails MaxAttempts times in all.
	for range MaxAttempts - 1 {
		if _, err := env.Sim.Redeliver(ds[1].ID); err != nil {
			t.Fatal(err)
		}
	}
	a.set(http.StatusUnauthorized)
	push(t, env, 1) // refused: a new attempt gets 401 again
	a.set(http.StatusAccepted)
	r.Max = 1
	st, err := r.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	env.Sim.WaitDeliveries()
	want := RedeliveryStats{Listed: 4 + MaxAttempts - 1 + 1, Failed: 5, Redelivered: 1, GivenUp: 1, Refused: 1, Seen: 1}
	if st != want {
		t.Errorf("Run() = %+v, want %+v", st, want)
	}
	if a.got[ds[2].ID] != 1 || len(a.got) != 1 {
		t.Errorf("redelivered %v, want only the oldest eligible one, %s", a.got, ds[2].ID)
	}
	// Outside the window nothing is looked at.
	r.Max, r.Now = 100, func() time.Time { return time.Now().Add(2 * time.Hour) }
	if st, err := r.Run(t.Context()); err != nil || st.Listed != 0 {
		t.Errorf("Run() two hours later = %+v, %v; want nothing listed", st, err)
	}
}

// TestRedeliverPages: more failed deliveries than fit a page are all found.
func TestRedeliverPages(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 120 webhooks")
	}
	env, a, r := newRedeliverer(t, http.StatusInternalServerError)
	push(t, env, 120)
	a.set(http.StatusAccepted)
	r.Max = 200
	st, err := r.Run(t.Context())
	if err != nil || st.Redelivered != 120 {
		t.Errorf("Run() = %+v, %v; want 120 redelivered over two pages", st, err)
	}
}
