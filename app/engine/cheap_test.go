package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/store"
)

// The rule these tests hold the engine to: a gate may turn green, and Z
// may run, only from facts read fresh from GitHub. Hints (what webhooks
// carried) may be stale in every way an attacker or a lossy network can
// make them; each test makes the hints say the gate holds while GitHub
// says it does not, and wants no green check, no success audited and no
// merge.

// hintRig is a rig whose gatherer starts from hints, as `zgate serve`'s
// does.
type hintRig struct {
	*rig
	hints *facts.Hints
}

func newHintRig(t *testing.T) *hintRig {
	t.Helper()
	r := newRig(t, gatedFiles(t))
	h := facts.NewHints(0)
	r.eng.cfg.Gatherer = &facts.Gatherer{Hints: h, Lists: facts.NewListMemo(0), Pulls: facts.NewPullCache(0),
		Configs: facts.NewConfigCache(facts.DefaultConfigCacheBytes), Pushes: facts.StorePushes{Store: r.st}}
	return &hintRig{rig: r, hints: h}
}

// get decodes GitHub's answer at u into v, as a webhook would carry it.
func (r *hintRig) get(u string, v any) {
	r.t.Helper()
	gh, err := r.env.Apps.Installation(r.inst)
	if err != nil {
		r.t.Fatal(err)
	}
	req, err := gh.NewRequest("GET", u, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := gh.Do(context.Background(), req, v); err != nil {
		r.t.Fatal(err)
	}
}

// delivery is the pull request as a delivery sent now would carry it.
func (r *hintRig) delivery(k store.PRKey) *facts.PullHint {
	r.t.Helper()
	pr := new(facts.PullHint)
	r.get(fmt.Sprintf("repos/acme/payments/pulls/%d", k.Number), pr)
	return pr
}

// approve submits user's approval and returns the pull_request_review
// delivery's pull request and review (not yet noted).
func (r *hintRig) approve(k store.PRKey, user string) (*facts.PullHint, *facts.ReviewHint) {
	r.t.Helper()
	id, err := r.sim.SubmitReview("acme", "payments", k.Number, user, "APPROVE", "")
	if err != nil {
		r.t.Fatal(err)
	}
	rv := new(facts.ReviewHint)
	r.get(fmt.Sprintf("repos/acme/payments/pulls/%d/reviews/%d", k.Number, id), rv)
	rv.State = strings.ToLower(rv.State) // as webhooks spell it
	return r.delivery(k), rv
}

// reevaluateMay re-evaluates, tolerating an error (a gather that waits for
// a retarget to settle): only what was reported counts.
// approveBoth has carol and dave approve k on GitHub, which makes the
// gate's quorum, and returns what their deliveries carry.
func (r *hintRig) approveBoth(k store.PRKey) (pr *facts.PullHint, carol, dave *facts.ReviewHint) {
	r.t.Helper()
	_, carol = r.approve(k, "carol")
	pr, dave = r.approve(k, "dave")
	return pr, carol, dave
}

// deliver notes in the hints the deliveries of reviews of pr.
func (r *hintRig) deliver(pr *facts.PullHint, reviews ...*facts.ReviewHint) {
	for _, rv := range reviews {
		r.hints.NoteReview("acme", "payments", pr, rv)
	}
}

func (r *hintRig) reevaluateMay(k store.PRKey) {
	if _, err := r.eng.Reevaluate(context.Background(), k); err != nil {
		r.t.Logf("Reevaluate: %v", err)
	}
}

// neverGreen fails unless no check on shas is green, no success was
// audited and the pull request is not merged.
func (r *hintRig) neverGreen(k store.PRKey, shas ...string) {
	r.t.Helper()
	for _, sha := range shas {
		for _, c := range r.checks(sha) {
			if strings.HasSuffix(c, "/success") || strings.HasSuffix(c, "/neutral") || strings.HasSuffix(c, "/skipped") {
				r.t.Errorf("check on %.7s: %s, want none passing", sha, c)
			}
		}
	}
	if kinds := r.auditKinds(); slices.Contains(kinds, "decision:success") || slices.Contains(kinds, "execution:intent") {
		r.t.Errorf("audit %v, want no success and no execution", kinds)
	}
	pr, err := r.sim.PullRequest("acme", "payments", k.Number)
	if err != nil {
		r.t.Fatal(err)
	}
	if pr.Merged {
		r.t.Errorf("pull request merged from stale hints")
	}
}

// A review dismissed while its webhook is lost: the hints still hold
// dave's approval, GitHub does not.
func TestCheapLostDismissalNeverGreen(t *testing.T) {
	r := newHintRig(t)
	k, head := r.openPR("scale")
	r.hints.NotePull("acme", "payments", r.delivery(k), true)
	r.reevaluate(k)
	pr, rv := r.approve(k, "carol")
	r.hints.NoteReview("acme", "payments", pr, rv)
	r.reevaluate(k)
	pr, rv = r.approve(k, "dave")
	r.hints.NoteReview("acme", "payments", pr, rv)
	if err := r.sim.DismissReview("acme", "payments", k.Number, rv.ID, "no"); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	r.neverGreen(k, head)
	if got := r.checks(head); !slices.Contains(got, "zgate/production: main in_progress/") {
		t.Errorf("checks %v, want zgate/production: main pending", got)
	}
}

// TestCheapStaleDeliveriesNeverGreen: carol and dave approve on GitHub,
// which makes the quorum; then something changes on GitHub whose webhook
// is lost, and zgate evaluates with their approvals' deliveries as hints.
// No check of the pull request may turn green. The change may also make
// the evaluation fail (reading a moved head), which is fine.
func TestCheapStaleDeliveriesNeverGreen(t *testing.T) {
	for _, tc := range []struct {
		name string
		// before runs before the pull request opens; change changes
		// GitHub after the approvals and returns more heads to check.
		before func(t *testing.T, r *hintRig)
		change func(t *testing.T, r *hintRig, k store.PRKey, carol, dave *facts.ReviewHint) []string
		mayErr bool
	}{{
		// The pull request's own answer unchanged by the dismissal: a
		// delivery for another review names the same pull request.
		name: "reviews after a lost dismissal",
		change: func(t *testing.T, r *hintRig, k store.PRKey, carol, _ *facts.ReviewHint) []string {
			if err := r.sim.DismissReview("acme", "payments", k.Number, carol.ID, "no"); err != nil {
				t.Fatal(err)
			}
			return nil
		},
	}, {
		// A force-push between the delivery and the evaluation: the
		// hints name the old head.
		name: "force-push",
		change: func(t *testing.T, r *hintRig, _ store.PRKey, _, _ *facts.ReviewHint) []string {
			moved, err := r.sim.Push("acme", "payments", "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 50\n"}, nil, "alice")
			if err != nil {
				t.Fatal(err)
			}
			return []string{moved}
		},
		mayErr: true,
	}, {
		// A retarget: the hints say the pull request goes into main,
		// where the approvals make the gate hold; it goes into release
		// now, and a green check for main would let another base's
		// protection pass.
		name: "retarget",
		before: func(t *testing.T, r *hintRig) {
			if _, err := r.sim.Push("acme", "payments", "release", map[string]string{"README": "release\n"}, nil, "admin"); err != nil {
				t.Fatal(err)
			}
		},
		change: func(t *testing.T, r *hintRig, k store.PRKey, _, _ *facts.ReviewHint) []string {
			if err := r.sim.ChangeBase("acme", "payments", k.Number, "release", "alice"); err != nil {
				t.Fatal(err)
			}
			return nil
		},
		mayErr: true,
	}, {
		// A push to the base that tightens the policy: the policy is
		// never a hint, the base branch's head is read every time.
		name: "tightened policy",
		change: func(t *testing.T, r *hintRig, _ store.PRKey, _, _ *facts.ReviewHint) []string {
			strict := strings.Replace(readTestdata(t, "zgate.yml"), "quorum: 2", "quorum: 3", 1)
			if _, err := r.sim.Push("acme", "payments", "main", map[string]string{".github/zgate.yml": strict}, nil, "admin"); err != nil {
				t.Fatal(err)
			}
			return nil
		},
	}, {
		// An old delivery, redelivered after a dismissal zgate read:
		// older than what was read, it is not taken.
		name: "replayed delivery",
		change: func(t *testing.T, r *hintRig, k store.PRKey, _, dave *facts.ReviewHint) []string {
			if err := r.sim.DismissReview("acme", "payments", k.Number, dave.ID, "no"); err != nil {
				t.Fatal(err)
			}
			r.reevaluate(k) // reads everything: dave's review is dismissed
			return nil
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newHintRig(t)
			if tc.before != nil {
				tc.before(t, r)
			}
			k, head := r.openPR("scale")
			r.reevaluate(k)
			pr, carol, dave := r.approveBoth(k)
			heads := append([]string{head}, tc.change(t, r, k, carol, dave)...)
			r.deliver(pr, carol, dave)
			if tc.mayErr {
				r.reevaluateMay(k)
			} else {
				r.reevaluate(k)
			}
			r.neverGreen(k, heads...)
		})
	}
}

// Two pull requests with one head: a review of the first is no hint
// about the second.
func TestCheapSharedHeadNeverGreen(t *testing.T) {
	r := newHintRig(t)
	k, head := r.openPR("scale")
	if _, err := r.sim.Push("acme", "payments", "release", map[string]string{"README": "release\n"}, nil, "admin"); err != nil {
		t.Fatal(err)
	}
	n2, err := r.sim.OpenPR("acme", "payments", githubsim.PROptions{Head: "scale", Base: "main", Title: "two", Author: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	k2 := k
	k2.Number = n2
	r.reevaluate(k)
	r.reevaluate(k2)
	for _, user := range []string{"carol", "dave"} {
		pr, rv := r.approve(k, user)
		r.hints.NoteReview("acme", "payments", pr, rv)
	}
	r.hints.NotePull("acme", "payments", r.delivery(k2), false)
	r.reevaluate(k2)
	for _, c := range r.checks(head) {
		if strings.HasSuffix(c, "/success") {
			t.Errorf("check %s after a review of the other pull request", c)
		}
	}
}

// A pending outcome from hints is reported without reading the pull
// request or its reviews.
func TestCheapPendingReadsNeitherPullNorReviews(t *testing.T) {
	r := newHintRig(t)
	k, head := r.openPR("scale")
	r.hints.NotePull("acme", "payments", r.delivery(k), true)
	r.reevaluate(k)
	r.sim.ResetCalls()
	pr, rv := r.approve(k, "carol")
	r.hints.NoteReview("acme", "payments", pr, rv)
	r.sim.ResetCalls()
	r.reevaluate(k)
	calls := r.sim.Calls()
	for _, route := range []string{"GET /repos/{owner}/{repo}/pulls/{pull_number}", "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews"} {
		if calls[route] != 0 {
			t.Errorf("%d × %s, want none (calls: %v)", calls[route], route, calls)
		}
	}
	if got := r.checks(head); !slices.Contains(got, "zgate/production: main in_progress/") {
		t.Errorf("checks %v, want zgate/production: main pending", got)
	}
}
