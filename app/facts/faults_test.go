package facts

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// TestGatherUnderFaults checks that retries ride out a GitHub failing a
// third of the time, and that what is gathered equals a calm read.
func TestGatherUnderFaults(t *testing.T) {
	w := newWorld(t, nil, nil)
	if _, err := w.env.Sim.SubmitReview(owner, repoName, w.pr, "bob", "APPROVE", ""); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	calm, err := (&Gatherer{}).Gather(ctx, w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	w.env.Sim.SetFaults(githubsim.Faults{ErrorRate: 0.2, SecondaryLimitRate: 0.1, TooManyRequestsRate: 0.05, Seed: 7})
	defer w.env.Sim.SetFaults(githubsim.Faults{})
	ok := 0
	for range 10 {
		res, err := (&Gatherer{Members: NewMembershipCache(time.Hour, nil)}).Gather(ctx, w.gh, owner, repoName, w.pr)
		if err != nil {
			continue // an error is fine: the caller retries; a wrong answer is not
		}
		ok++
		if diff := cmp.Diff(calm.Facts, res.Facts, cmpCodeowners); diff != "" {
			t.Errorf("facts under faults differ from a calm read (-calm +faulty):\n%s", diff)
		}
	}
	if ok < 5 {
		t.Errorf("%d of 10 gathers succeeded under faults, want most (retries should absorb them)", ok)
	}
}
