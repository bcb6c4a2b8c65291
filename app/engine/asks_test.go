package engine

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/store"
)

const requestRoute = "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"

// newAsksRig is a rig whose policy asks for reviews (testdata/asks.yml):
// sre (carol), dba (erin) and solo (only alice, the author), two needed.
func newAsksRig(t *testing.T, edit func(*ghclient.Config)) *rig {
	t.Helper()
	r := newRigWith(t, map[string]string{
		".github/zgate.yml":        readTestdata(t, "asks.yml"),
		"deploy/prod/payments.yml": "replicas: 3\n",
	}, edit)
	r.eng.cfg.Asks = r.st
	for _, tm := range [][2]string{{"dba", "erin"}, {"solo", "alice"}} {
		if err := r.sim.AddTeamMember("acme", tm[0], tm[1], "active"); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func (r *rig) requestedTeams(n int) []string {
	r.t.Helper()
	got, err := r.sim.RequestedTeams("acme", "payments", n)
	if err != nil {
		r.t.Fatal(err)
	}
	return got
}

// auditOf returns the data of the audit records of kind, oldest first.
func (r *rig) auditOf(kind string) []string {
	r.t.Helper()
	recs, err := r.st.AuditRecords(context.Background(), 0, 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, rec := range recs {
		if rec.Kind == kind {
			out = append(out, string(rec.Data))
		}
	}
	return out
}

func TestReviewRequestsOncePerTeam(t *testing.T) {
	r := newAsksRig(t, nil)
	k, head := r.openPR("scale")
	r.reevaluate(k)
	if diff := cmp.Diff([]string{"acme/sre", "acme/dba"}, r.requestedTeams(k.Number)); diff != "" {
		t.Errorf("requested teams (-want +got):\n%s", diff)
	}
	want := []string{
		`{"team":"@acme/sre","status":"requesting"}`, `{"team":"@acme/sre","status":"requested"}`,
		`{"team":"@acme/dba","status":"requesting"}`, `{"team":"@acme/dba","status":"requested"}`,
	}
	if diff := cmp.Diff(want, r.auditOf(audit.KindReviewRequest)); diff != "" {
		t.Errorf("review_request audit records (-want +got):\n%s", diff)
	}
	// The author's only team is not asked; the check run says why.
	said := false
	for _, run := range r.sim.CheckRuns("acme", "payments", head) {
		said = said || strings.Contains(run.Output.Summary, "@acme/solo: no review requested: the author is the team's only member")
	}
	if !said {
		t.Errorf("no check run says why @acme/solo was not asked")
	}

	// Evaluated again, and after a person removed sre's request: nobody
	// is asked twice.
	if err := r.sim.RemoveTeamReviewRequest("acme", "payments", k.Number, "sre", "carol"); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	r.reevaluate(k)
	if n := r.sim.Calls()[requestRoute]; n != 2 {
		t.Errorf("%d review requests made, want 2 (one per team, ever)", n)
	}
	if diff := cmp.Diff([]string{"acme/dba"}, r.requestedTeams(k.Number)); diff != "" {
		t.Errorf("requested teams after the removal (-want +got):\n%s", diff)
	}
}

func TestReviewRequestsSkipped(t *testing.T) {
	tests := []struct {
		name   string
		before func(r *rig, k store.PRKey)
		want   []string
	}{
		{"a team that reviewed, even dismissed", func(r *rig, k store.PRKey) {
			id, err := r.sim.SubmitReview("acme", "payments", k.Number, "erin", "APPROVE", "")
			if err != nil {
				r.t.Fatal(err)
			}
			if err := r.sim.DismissReview("acme", "payments", k.Number, id, "stale"); err != nil {
				r.t.Fatal(err)
			}
		}, []string{"acme/sre"}},
		{"a team whose request a person removed before zgate asked", func(r *rig, k store.PRKey) {
			if err := r.st.NoteReviewRequestRemoved(context.Background(), "acme", "payments", k.Number, "acme/dba", time.Now()); err != nil {
				r.t.Fatal(err)
			}
		}, []string{"acme/sre"}},
		{"a team a person requested already", func(r *rig, k store.PRKey) {
			if err := r.sim.RequestTeamReview("acme", "payments", k.Number, "dba", "alice"); err != nil {
				r.t.Fatal(err)
			}
		}, []string{"acme/dba", "acme/sre"}},
		{"a claim left by a crash before the call", func(r *rig, k store.PRKey) {
			if _, err := r.st.ClaimReviewRequest(context.Background(), k, "acme/dba", time.Now(), nil); err != nil {
				r.t.Fatal(err)
			}
		}, []string{"acme/sre"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newAsksRig(t, nil)
			k, _ := r.openPR("scale")
			tc.before(r, k)
			r.reevaluate(k)
			if diff := cmp.Diff(tc.want, r.requestedTeams(k.Number)); diff != "" {
				t.Errorf("requested teams (-want +got):\n%s", diff)
			}
			if n := r.sim.Calls()[requestRoute]; n != 1 {
				t.Errorf("%d review requests made, want 1 (sre only)", n)
			}
		})
	}
}

// refuseRequests answers every review request 422, as GitHub does for a
// team without access to the repository.
type refuseRequests struct{ next http.RoundTripper }

func (rt refuseRequests) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/requested_reviewers") {
		return &http.Response{StatusCode: http.StatusUnprocessableEntity, Request: req,
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   io.NopCloser(strings.NewReader(`{"message":"Reviews may only be requested from collaborators."}`))}, nil
	}
	return rt.next.RoundTrip(req)
}

func TestReviewRequestFailureChangesNothing(t *testing.T) {
	ok := newAsksRig(t, nil)
	okKey, okHead := ok.openPR("scale")
	ok.reevaluate(okKey)

	r := newAsksRig(t, func(c *ghclient.Config) { c.Transport = refuseRequests{http.DefaultTransport} })
	k, head := r.openPR("scale")
	next := r.reevaluate(k)
	if !next.IsZero() {
		t.Errorf("Reevaluate() next = %v, want no retry for a failed review request", next)
	}
	if diff := cmp.Diff(ok.checks(okHead), r.checks(head)); diff != "" {
		t.Errorf("check runs differ from a run whose requests succeeded (-ok +failed):\n%s", diff)
	}
	got := r.auditOf(audit.KindReviewRequest)
	if len(got) != 4 || !strings.Contains(got[1], `"status":"failed"`) || !strings.Contains(got[3], `"status":"failed"`) {
		t.Errorf("review_request audit records = %q, want intent and failure per team", got)
	}
	r.reevaluate(k)
	if n := len(r.auditOf(audit.KindReviewRequest)); n != 4 {
		t.Errorf("%d review_request records after another evaluation, want 4: a failed request is not retried", n)
	}
}

// command records a command as the server's intake does.
func (r *rig) command(k store.PRKey, user, body, name string) int64 {
	r.t.Helper()
	id, err := r.sim.Comment("acme", "payments", k.Number, user, body)
	if err != nil {
		r.t.Fatal(err)
	}
	in := store.Intake{Delivery: "d-" + name, Event: "issue_comment", Received: time.Now(), Jobs: []store.PRKey{k},
		Commands: []store.Command{{CommentID: id, Key: k, Name: name, Sender: user, At: time.Now()}}}
	if _, err := r.st.Intake(context.Background(), in); err != nil {
		r.t.Fatal(err)
	}
	return id
}

// botComments returns the bodies of zgate's comments on the pull request.
func (r *rig) botComments(n int) []string {
	r.t.Helper()
	cs, err := r.sim.IssueComments("acme", "payments", n)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		if strings.HasSuffix(c.User, "[bot]") {
			out = append(out, c.Body)
		}
	}
	return out
}

func TestCommands(t *testing.T) {
	r := newAsksRig(t, nil)
	k, _ := r.openPR("scale")
	recheck := r.command(k, "bob", "/zgate recheck", "recheck")
	r.command(k, "bob", "/zgate explain", "explain")
	r.command(k, "bob", "/zgate frobnicate", "frobnicate")
	r.reevaluate(k)
	r.reevaluate(k) // answered once

	reactions, err := r.sim.CommentReactions("acme", "payments", recheck)
	if err != nil {
		t.Fatal(err)
	}
	if len(reactions) != 1 || reactions[0].Content != RecheckReaction {
		t.Errorf("reactions to /zgate recheck = %+v, want one %s", reactions, RecheckReaction)
	}
	got := r.botComments(k.Number)
	if len(got) != 2 {
		t.Fatalf("zgate's comments = %q, want the explanation and the help", got)
	}
	for _, want := range []string{"### zgate/production:", "@\u200bacme/sre", "0 of 3 controls hold"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("explanation %q lacks %q", got[0], want)
		}
	}
	if strings.Contains(got[0], "@acme/") {
		t.Errorf("explanation mentions a team: %q", got[0])
	}
	for _, want := range []string{"Unknown command `/zgate frobnicate`", "/zgate recheck", "/zgate explain", "/zgate override <reason>"} {
		if !strings.Contains(got[1], want) {
			t.Errorf("help reply %q lacks %q", got[1], want)
		}
	}
	var kinds []string
	for _, d := range r.auditOf(audit.KindCommand) {
		var c commandData
		if err := json.Unmarshal([]byte(d), &c); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, c.Command+":"+c.Answer)
	}
	if diff := cmp.Diff([]string{"recheck:reaction +1", "explain:explanation", "frobnicate:help"}, kinds); diff != "" {
		t.Errorf("command audit records (-want +got):\n%s", diff)
	}
}

func TestCommandsWithoutPolicy(t *testing.T) {
	r := newRig(t, map[string]string{"README.md": "hi\n"})
	r.eng.cfg.Asks = r.st
	k, _ := r.openPR("scale")
	r.command(k, "bob", "/zgate explain", "explain")
	r.reevaluate(k)
	got := r.botComments(k.Number)
	if len(got) != 1 || !strings.Contains(got[0], "no zgate policy") {
		t.Errorf("zgate's comments = %q, want one saying there is no policy", got)
	}
}
