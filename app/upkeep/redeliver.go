package upkeep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/google/go-github/v62/github"
)

// Bounds of one redelivery run.
const (
	// maxPages bounds the delivery pages read per run (100 per page).
	maxPages = 50
	// MaxAttempts is how many attempts of one delivery (GUID) GitHub may
	// have made, redeliveries included, before zgate stops asking again:
	// a delivery the App keeps refusing is not retried forever.
	MaxAttempts = 5
)

// DeliveryStore tells which deliveries the App already took in.
type DeliveryStore interface {
	DeliverySeen(ctx context.Context, id string) (bool, error)
}

// Redeliverer asks GitHub again for recent failed deliveries of the App's
// webhook (GET /app/hook/deliveries, POST
// /app/hook/deliveries/{id}/attempts, as the App).
type Redeliverer struct {
	// App returns a client authenticated as the App (JWT).
	App func() (*github.Client, error)
	// Seen is the store's record of deliveries taken in, by GUID.
	Seen DeliveryStore
	// Window bounds how far back deliveries are looked at; Max how many
	// are asked for again per run.
	Window time.Duration
	Max    int
	Now    func() time.Time
	Logger *slog.Logger
}

// RedeliveryStats summarises one run.
type RedeliveryStats struct {
	// Listed counts the delivery attempts read; Failed the deliveries
	// (GUIDs) whose every attempt in the window failed.
	Listed, Failed int
	// Redelivered counts the deliveries asked for again.
	Redelivered int
	// GivenUp counts failed deliveries past MaxAttempts; Refused those
	// answered in a way a new attempt would not change (a 4xx); Seen
	// those the store already took in.
	GivenUp, Refused, Seen int
}

// delivery is what a run learns about one GUID.
type delivery struct {
	latest    *github.HookDelivery // the newest attempt
	attempts  int
	succeeded bool
}

// Run lists the deliveries of the last Window and asks GitHub again for
// each failed one, oldest first, at most Max of them. A delivery counts as
// failed when no attempt of its GUID succeeded (2xx), its newest attempt
// could not connect, timed out or got a 5xx (or 408, 429), GitHub has made
// fewer than MaxAttempts attempts, and the store has not recorded its
// GUID (the App took it in even though the answer was lost).
func (r *Redeliverer) Run(ctx context.Context) (RedeliveryStats, error) {
	var st RedeliveryStats
	gh, err := r.App()
	if err != nil {
		return st, fmt.Errorf("redeliver: %w", err)
	}
	since := r.Now().Add(-r.Window)
	byGUID := map[string]*delivery{}
	var order []string // newest first
	opts := &github.ListCursorOptions{PerPage: 100}
	for page := 0; page < maxPages; page++ {
		list, resp, err := gh.Apps.ListHookDeliveries(ctx, opts)
		if err != nil {
			return st, fmt.Errorf("redeliver: list deliveries: %w", err)
		}
		old := false
		for _, d := range list {
			if d.GetDeliveredAt().Before(since) {
				old = true
				break
			}
			st.Listed++
			g := d.GetGUID()
			x := byGUID[g]
			if x == nil {
				x = &delivery{latest: d}
				byGUID[g] = x
				order = append(order, g)
			}
			x.attempts++
			if code := d.GetStatusCode(); code >= 200 && code <= 299 {
				x.succeeded = true
			}
		}
		if old || resp.Cursor == "" {
			break
		}
		opts.Cursor = resp.Cursor
	}
	slices.Reverse(order)
	for _, g := range order {
		x := byGUID[g]
		if x.succeeded || g == "" {
			continue
		}
		st.Failed++
		switch {
		case !retryable(x.latest.GetStatusCode()):
			st.Refused++
			continue
		case x.attempts >= MaxAttempts:
			st.GivenUp++
			continue
		}
		seen, err := r.Seen.DeliverySeen(ctx, g)
		if err != nil {
			return st, fmt.Errorf("redeliver: %w", err)
		}
		if seen {
			st.Seen++
			continue
		}
		if st.Redelivered >= r.Max {
			continue
		}
		_, _, err = gh.Apps.RedeliverHookDelivery(ctx, x.latest.GetID())
		var accepted *github.AcceptedError
		if err != nil && !errors.As(err, &accepted) {
			return st, fmt.Errorf("redeliver %s (%s, attempt %d): %w", g, x.latest.GetEvent(), x.latest.GetID(), err)
		}
		st.Redelivered++
		r.Logger.Info("asked GitHub to deliver a failed webhook again", "delivery", g, "event", x.latest.GetEvent(),
			"action", x.latest.GetAction(), "status_code", x.latest.GetStatusCode(), "attempts", x.attempts)
	}
	return st, nil
}

// retryable reports whether a new attempt may succeed where one answered
// code failed: the App was unreachable (0), overloaded or broken (5xx, 408,
// 429). Other 4xx answers (a bad signature, a malformed payload) would
// come back the same.
func retryable(code int) bool {
	return code == 0 || code >= 500 || code == http.StatusRequestTimeout || code == http.StatusTooManyRequests
}
