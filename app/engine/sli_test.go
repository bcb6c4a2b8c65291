package engine

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/zgate-dev/zgate/app/act"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/metrics"
)

// clock is the engine's clock: the wall clock shifted by an offset the
// test moves, so the reviews the simulator dates now fall where the test
// wants them relative to the evaluations.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = d
}

// histogram returns the sample count and sum of one histogram series.
func histogram(t *testing.T, vec *prometheus.HistogramVec, labels ...string) (uint64, float64) {
	t.Helper()
	var m dto.Metric
	if err := vec.WithLabelValues(labels...).(prometheus.Metric).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
}

// newSLIRig is newRig with the store keeping first-pending times, head
// sightings for overrides, and the engine on clk.
func newSLIRig(t *testing.T, files map[string]string, clk *clock, edit func(*ghclient.Config)) *rig {
	t.Helper()
	r := newRigWith(t, files, edit)
	r.eng.cfg.Pending = r.st
	r.eng.cfg.Gatherer = &facts.Gatherer{Pushes: facts.StorePushes{Store: r.st}, Now: clk.now}
	r.eng.now = clk.now
	r.eng.cfg.Executor.(*act.Executor).Now = clk.now
	return r
}

// TestSLIApprovalLatencyAndZ: a pull request first evaluated pending, then
// approved by two teams and evaluated an hour later, observes one approval
// latency (first pending -> quorum), one time per control, one Z
// attempted and done with two control domains, and the time of the last
// successful evaluation. Re-evaluating observes nothing twice.
func TestSLIApprovalLatencyAndZ(t *testing.T) {
	clk := &clock{}
	r := newSLIRig(t, gatedFiles(t), clk, nil)
	sli := r.eng.cfg.Metrics.SLI
	k, _ := r.openPR("scale")
	clk.set(-time.Minute) // first pending a minute before the reviews
	r.reevaluate(k)
	clk.set(0)
	r.reevaluate(k) // still pending: the first time stays
	for _, u := range []string{"carol", "dave"} {
		if _, err := r.sim.SubmitReview("acme", "payments", k.Number, u, "APPROVE", ""); err != nil {
			t.Fatal(err)
		}
	}
	clk.set(time.Hour)
	before := time.Now()
	r.reevaluate(k)
	if pr, err := r.sim.PullRequest("acme", "payments", k.Number); err != nil || !pr.Merged {
		t.Fatalf("PR merged = %v, %v; want merged after the quorum", pr.Merged, err)
	}
	r.reevaluate(k)

	n, sum := histogram(t, sli.ApprovalLatency, "acme/payments", "production")
	if n != 1 || sum < 3660 || sum > 3660+30 {
		t.Errorf("approval latency: %d samples, sum %.0fs; want 1 sample of about 3660s (first pending at -1m, quorum at +1h)", n, sum)
	}
	n, sum = histogram(t, sli.ControlApproval, "acme/payments", "production", "team")
	// GitHub dates reviews in whole seconds: each is up to 1s early.
	if n != 2 || sum < 118 || sum > 120+30 {
		t.Errorf("time to approve per control: %d samples, sum %.0fs; want 2 samples of about 60s", n, sum)
	}
	if got := testutil.ToFloat64(sli.ZAttempts.WithLabelValues("acme/payments", "production")); got != 1 {
		t.Errorf("Z attempts = %v, want 1", got)
	}
	if got := testutil.ToFloat64(sli.ZDone.WithLabelValues("acme/payments", "production")); got != 1 {
		t.Errorf("Z done = %v, want 1", got)
	}
	if got := testutil.CollectAndCount(sli.ZErrors); got != 0 {
		t.Errorf("Z error series = %d, want 0", got)
	}
	n, sum = histogram(t, sli.ControlDomains, "acme/payments", "production")
	if n != 1 || sum != 2 {
		t.Errorf("control domains at Z: %d samples, sum %v; want 1 sample of 2 (@acme/sre, @acme/security)", n, sum)
	}
	last := testutil.ToFloat64(sli.LastSuccess)
	if want := float64(before.Add(time.Hour).Unix()); last < want || last > want+60 {
		t.Errorf("last successful evaluation = %v, want about %v (the engine's clock)", last, want)
	}
}

// TestSLIApprovalFailureReasons: reviews that do not count are counted
// once each by reason, however often the pull request is evaluated; the
// reasons come from the policy's real explanations.
func TestSLIApprovalFailureReasons(t *testing.T) {
	clk := &clock{}
	r := newSLIRig(t, gatedFiles(t), clk, nil)
	sli := r.eng.cfg.Metrics.SLI
	k, _ := r.openPR("scale")
	r.reevaluate(k)
	review := func(user, state string) {
		t.Helper()
		if _, err := r.sim.SubmitReview("acme", "payments", k.Number, user, state, ""); err != nil {
			t.Fatal(err)
		}
		r.reevaluate(k)
		r.reevaluate(k) // an evaluation more counts nothing twice
	}
	review("ci[bot]", "APPROVE")      // a bot
	review("mallory", "APPROVE")      // in neither team
	review("dave", "REQUEST_CHANGES") // a member asking for changes
	review("carol", "APPROVE")        // counted now...
	if _, err := r.sim.Push("acme", "payments", "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 6\n"}, nil, "alice"); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k) // ...stale after the push
	got := map[string]float64{}
	for _, reason := range []string{ReasonSelf, ReasonPusher, ReasonBot, ReasonNotMember, ReasonChangesRequested, ReasonStale, ReasonOther} {
		if v := testutil.ToFloat64(sli.ApprovalFailures.WithLabelValues("acme/payments", "production", reason)); v != 0 {
			got[reason] = v
		}
	}
	// Each is counted once per head: on the new head the bot's approval
	// and dave's request for changes fail again, carol's and mallory's
	// approvals are stale (of the old head), which the policy says first.
	want := map[string]float64{ReasonBot: 2, ReasonNotMember: 1, ReasonChangesRequested: 2, ReasonStale: 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("approval failures by reason (-want +got):\n%s", diff)
	}
}

// TestSLIRateLimitPerInstallation: the simulator's X-RateLimit-Remaining
// reaches the gauge of the installation.
func TestSLIRateLimitPerInstallation(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.NewSLI(reg)
	if err != nil {
		t.Fatal(err)
	}
	r := newSLIRig(t, gatedFiles(t), &clock{}, func(c *ghclient.Config) { c.OnRateLimit = m.ObserveRateLimit })
	k, _ := r.openPR("scale")
	r.reevaluate(k)
	got := testutil.ToFloat64(m.RateLimitRemaining.WithLabelValues(strconv.FormatInt(r.inst, 10)))
	if got <= 0 || got >= 15000 {
		t.Errorf("rate limit remaining = %v, want between 0 and the simulator's 15000 after some calls", got)
	}
}

// TestSLIZRefused: a merge GitHub refuses (a required check never ran)
// counts as attempted with a "refused" error, not done; retries of the
// same refusal count as attempts too, so the success rate stays honest.
func TestSLIZRefused(t *testing.T) {
	r := newSLIRig(t, gatedFiles(t), &clock{}, nil)
	sli := r.eng.cfg.Metrics.SLI
	if err := r.sim.SetRequiredChecks("acme", "payments", "main", []string{"zgate/production", "ci/build"}); err != nil {
		t.Fatal(err)
	}
	k, _ := r.openPR("scale")
	for _, u := range []string{"carol", "dave"} {
		if _, err := r.sim.SubmitReview("acme", "payments", k.Number, u, "APPROVE", ""); err != nil {
			t.Fatal(err)
		}
	}
	r.reevaluate(k)
	r.reevaluate(k)
	attempts := testutil.ToFloat64(sli.ZAttempts.WithLabelValues("acme/payments", "production"))
	refused := testutil.ToFloat64(sli.ZErrors.WithLabelValues("acme/payments", "production", "refused"))
	done := testutil.ToFloat64(sli.ZDone.WithLabelValues("acme/payments", "production"))
	if attempts != 2 || refused != 2 || done != 0 {
		t.Errorf("attempts, refused, done = %v, %v, %v; want 2, 2, 0", attempts, refused, done)
	}
}

// TestReasonOf classifies each wording of policy.Evaluate's notes about
// consents that did not count (the formats of policy/evaluate_reviews.go,
// evaluate_attestations.go and evaluate_override.go), and nothing else.
func TestReasonOf(t *testing.T) {
	tests := []struct{ note, want string }{
		{"bob is the author (self-approval does not count)", ReasonSelf},
		{"bob pushed 1a2b3c4 to this pull request (a pusher's approval does not count)", ReasonPusher},
		{"ci[bot] is a bot (bot approvals do not count)", ReasonBot},
		{"carol approved 1a2b3c4, not the head 5d6e7f8 (stale after a push)", ReasonStale},
		{"carol requested changes on 1a2b3c4 at 2026-01-02T03:04:05Z", ReasonChangesRequested},
		{"carol's review of 1a2b3c4 was dismissed", ReasonDismissed},
		{"carol approved at 2026-01-02T03:04:05Z, before the base branch changed to release at 2026-01-02T04:00:00Z (an approval counts only for the base it was given on)", ReasonBaseChanged},
		{"carol's approval is dated 2027-01-02T03:04:05Z, in the future", ReasonFuture},
		{"carol approved at 2026-01-02T03:04:05Z, outside the 24h window (expired 2026-01-03T03:04:05Z)", ReasonOutsideWindow},
		{"mallory approved but is a member of none of the gate's teams", ReasonNotMember},
		{"attestation from bundle.json failed verification: bad signature", ReasonBadAttestation},
		{"attestation 1 did not count: issued by https://evil.example, not https://token.actions.githubusercontent.com", ReasonWrongSigner},
		{"attestation 2 did not count: for commit 1a2b3c4, not the head 5d6e7f8", ReasonStale},
		{"attestation 1 did not count: signed at 2026-01-01T00:00:00Z, outside the 24h window (expired 2026-01-02T00:00:00Z)", ReasonOutsideWindow},
		{"erin's override does not count: bots cannot override", ReasonOverride},
		{"docs/README.md is owned by nobody", ""},
		{"owner dev@example.com is an email address, which cannot be checked", ""},
	}
	for _, tc := range tests {
		if got := reasonOf(tc.note); got != tc.want {
			t.Errorf("reasonOf(%q) = %q, want %q", tc.note, got, tc.want)
		}
	}
}

// TestSLIOverrideCounted: a gate opened by an override counts in
// zgate_overrides_total once, and observes no approval latency (no quorum
// was reached).
func TestSLIOverrideCounted(t *testing.T) {
	files := gatedFiles(t)
	files[".github/zgate.yml"] = strings.Replace(files[".github/zgate.yml"], "    then:", "    override:\n      teams: [\"@acme/ic\"]\n      approvals: 1\n    then:", 1)
	clk := &clock{}
	r := newSLIRig(t, files, clk, nil)
	if err := r.sim.AddTeamMember("acme", "ic", "ivan", "active"); err != nil {
		t.Fatal(err)
	}
	sli := r.eng.cfg.Metrics.SLI
	k, _ := r.openPR("hotfix")
	clk.set(-time.Minute) // the head is first seen before the override
	r.reevaluate(k)
	clk.set(0)
	if _, err := r.sim.Comment("acme", "payments", k.Number, "ivan", "/zgate override payments down, INC-1"); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	r.reevaluate(k)
	if pr, err := r.sim.PullRequest("acme", "payments", k.Number); err != nil || !pr.Merged {
		t.Fatalf("PR merged = %v, %v; want merged by the override", pr.Merged, err)
	}
	if got := testutil.ToFloat64(sli.Overrides.WithLabelValues("acme/payments", "production")); got != 1 {
		t.Errorf("overrides = %v, want 1", got)
	}
	if n, _ := histogram(t, sli.ApprovalLatency, "acme/payments", "production"); n != 0 {
		t.Errorf("approval latency samples = %d, want 0 for an override", n)
	}
}
