package action

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/ghclient"
)

// holdZ is a transport that stops a run at its first write that starts a
// Z (claiming the ref, or writing a marker status) until the test lets it
// go, so two runs can be made to decide at the same moment.
type holdZ struct {
	next    http.RoundTripper
	arrived chan<- int
	run     int
	release chan struct{}
	once    sync.Once
}

func (h *holdZ) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && h.startsZ(req) {
		h.once.Do(func() {
			h.arrived <- h.run
			<-h.release
		})
	}
	return h.next.RoundTrip(req)
}

func (h *holdZ) startsZ(req *http.Request) bool {
	if strings.HasSuffix(req.URL.Path, "/git/refs") {
		return true
	}
	if !strings.Contains(req.URL.Path, "/statuses/") || req.Body == nil {
		return false
	}
	b, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(b))
	return bytes.Contains(b, []byte(`/z`))
}

// runHeld runs the Action for PR n with its own client behind h.
func (r *rig) runHeld(n int, h *holdZ, identity string) (Result, error) {
	gh, err := ghclient.NewTokenClientConfig(ghclient.Config{
		BaseURL:   r.env.Server.URL + "/api/v3/",
		Transport: h,
		Retry:     ghclient.RetryPolicy{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }},
	}, ghclient.Token(r.token))
	if err != nil {
		return Result{}, err
	}
	return Run(context.Background(), Config{
		Client:     gh,
		Repository: "acme/payments",
		EventName:  "pull_request",
		Event:      []byte(fmt.Sprintf(`{"action":"synchronize","number":%d,"pull_request":{"number":%d}}`, n, n)),
		NewID:      func() (string, error) { return fmt.Sprintf("held%d-test", h.run), nil },
		Identity:   identity,
	})
}

// TestConcurrentRunsDispatchOnce: two runs on the same head, without a
// concurrency group, both decide to dispatch before either writes; then
// they go on one after the other (the schedule that beats a marker status
// read back). Exactly one dispatch goes out.
func TestConcurrentRunsDispatchOnce(t *testing.T) {
	r, n, _ := dispatchReady(t)
	arrived := make(chan int, 2)
	held := [2]*holdZ{}
	done := [2]chan error{make(chan error, 1), make(chan error, 1)}
	for i := range held {
		held[i] = &holdZ{next: http.DefaultTransport, arrived: arrived, run: i, release: make(chan struct{})}
		go func() {
			_, err := r.runHeld(n, held[i], "")
			done[i] <- err
		}()
	}
	var order []int
	for len(order) < 2 {
		select {
		case i := <-arrived:
			order = append(order, i)
		case <-time.After(10 * time.Second):
			t.Fatalf("runs at the Z write: %v, want both", order)
		}
	}
	for _, i := range order {
		close(held[i].release)
		if err := <-done[i]; err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	if got := len(r.sim.Dispatches("acme", "payments")); got != 1 {
		t.Errorf("dispatches = %d, want exactly 1", got)
	}
}

// TestConcurrentRunsRace runs two unsynchronised runs several times, with
// the identity configured: never two dispatches.
func TestConcurrentRunsRace(t *testing.T) {
	for round := range 5 {
		r, n, _ := dispatchReady(t)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				h := &holdZ{next: http.DefaultTransport, arrived: make(chan int, 1), run: i, release: make(chan struct{})}
				close(h.release)
				if _, err := r.runHeld(n, h, self); err != nil {
					t.Errorf("round %d run %d: %v", round, i, err)
				}
			})
		}
		wg.Wait()
		if got := len(r.sim.Dispatches("acme", "payments")); got != 1 {
			t.Errorf("round %d: dispatches = %d, want exactly 1", round, got)
		}
	}
}
