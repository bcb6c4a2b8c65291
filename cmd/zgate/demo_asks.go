package main

import (
	"context"
	"errors"
	"strings"
	"time"
)

// showReviewRequests waits for the review requests the App makes for the
// missing teams (request_reviews: teams) and says which they were.
func (d *demo) showReviewRequests(ctx context.Context, n int) error {
	deadline := time.Now().Add(demoStepTimeout)
	for {
		teams, err := d.sim.RequestedTeams(demoOwner, demoRepo, n)
		if err != nil {
			return err
		}
		if len(teams) == 2 {
			d.say("   zgate requests a review from the missing teams: @%s (once per team and PR, audited)", strings.Join(teams, ", @"))
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("the App made no review requests")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
