package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/store"
)

// flow walks the pull request through the rule, one narrated step at a time.
func (d *demo) flow(ctx context.Context) error {
	s := d.sim
	files := map[string]string{
		".github/CODEOWNERS":       demoCodeowners,
		".github/zgate.yml":        demoPolicy,
		"deploy/prod/payments.yml": fmt.Sprintf(demoManifest, 3),
	}
	if err := s.CreateRepo(demoOwner, demoRepo, files); err != nil {
		return err
	}
	// Public, so the details page the demo prints opens without signing
	// in (with --keep).
	if err := s.SetVisibility(demoOwner, demoRepo, "public"); err != nil {
		return err
	}
	for _, m := range [][2]string{{"sre", "carol"}, {"security", "carol"}, {"security", "dave"}, {"platform", "pat"}} {
		if err := s.AddTeamMember(demoOwner, m[0], m[1], "active"); err != nil {
			return err
		}
	}
	if err := s.SetRequiredChecks(demoOwner, demoRepo, "main", []string{demoGate}); err != nil {
		return err
	}
	d.say("1. acme/payments: CODEOWNERS gives deploy/prod/ to @acme/sre and @acme/security; the policy")
	d.say("   (.github/zgate.yml on main) needs both teams through two different people (quorum 2) on the")
	d.say("   head commit, then squash-merges. Branch protection requires %s on main.", demoGate)
	d.say("   @acme/sre: carol    @acme/security: carol, dave")

	head, err := s.Push(demoOwner, demoRepo, "scale-payments", map[string]string{"deploy/prod/payments.yml": fmt.Sprintf(demoManifest, 5)}, nil, "alice")
	if err != nil {
		return err
	}
	n, err := s.OpenPR(demoOwner, demoRepo, githubsim.PROptions{Head: "scale-payments", Base: "main", Title: "Scale payments to 5 replicas", Author: "alice"})
	if err != nil {
		return err
	}
	d.say("\n2. alice opens PR #%d touching deploy/prod/payments.yml (head %s)", n, short(head))
	if err := d.waitCheck(ctx, head, "in_progress", ""); err != nil {
		return err
	}
	d.say("   The check links to its details page: %s", d.check.DetailsURL)
	if err := d.showReviewRequests(ctx, n); err != nil {
		return err
	}

	if err := d.approve(ctx, n, head, "carol", "LGTM", "in_progress", "",
		"\n3. carol, a member of both owning teams, approves: one person counts for one team only"); err != nil {
		return err
	}

	head, err = s.Push(demoOwner, demoRepo, "scale-payments", map[string]string{"deploy/prod/payments.yml": fmt.Sprintf(demoManifest, 6)}, nil, "alice")
	if err != nil {
		return err
	}
	d.say("\n4. alice pushes another commit (head %s): carol's approval was of the old head, so it is stale", short(head))
	if err := d.waitCheck(ctx, head, "in_progress", ""); err != nil {
		return err
	}

	if err := d.approve(ctx, n, head, "carol", "Still good", "in_progress", "",
		"\n5. carol approves the new head again"); err != nil {
		return err
	}
	if err := d.approve(ctx, n, head, "dave", "Security OK", "completed", "success",
		"\n6. dave (security) approves: the matching gives sre to carol and security to dave"); err != nil {
		return err
	}
	d.say("   The check run's summary, as reviewers see it on the pull request:")
	for _, line := range strings.Split(strings.TrimRight(d.check.Output.Summary, "\n"), "\n") {
		d.say("   │ %s", line)
	}
	pr, err := d.waitMerged(ctx, n)
	if err != nil {
		return err
	}
	d.say("\n7. zgate merged PR #%d (squash, guarded by head SHA %s) as %s", n, short(pr.HeadSHA), short(pr.MergeCommitSHA))
	d.mergeSHA = pr.MergeCommitSHA
	return nil
}

// approve submits user's approving review of head, narrates it, and shows
// the gate's check run once it has the status (and conclusion).
func (d *demo) approve(ctx context.Context, n int, head, user, body, status, conclusion, narration string) error {
	if _, err := d.sim.SubmitReview(demoOwner, demoRepo, n, user, "APPROVE", body); err != nil {
		return err
	}
	d.say("%s", narration)
	return d.waitCheck(ctx, head, status, conclusion)
}

// demoCheck is the gate's check for pull requests into main, the one whose
// text explains; demoGate, the legacy name branch protection requires
// here, repeats only its outcome (report.Content.Mirror).
const demoCheck = demoGate + ": main"

// waitCheck waits until the gate's check run on sha has the status (and
// conclusion) and differs from the one shown last, then shows it. A check
// that does not change in time is shown as it is when the state matches.
func (d *demo) waitCheck(ctx context.Context, sha, status, conclusion string) error {
	deadline := time.Now().Add(demoStepTimeout)
	var last githubsim.CheckRun
	found := false
	for {
		for _, c := range d.sim.CheckRuns(demoOwner, demoRepo, sha) {
			if c.Name == demoCheck {
				last, found = c, true
			}
		}
		matches := found && last.Status == status && last.Conclusion == conclusion
		fresh := last.ID != d.check.ID || last.Output.Summary != d.check.Output.Summary
		if matches && fresh {
			break
		}
		if time.Now().After(deadline) {
			if matches {
				break // unchanged, and that is the expected state
			}
			return fmt.Errorf("check run %s on %s: got %q/%q, want %s/%s", demoCheck, short(sha), last.Status, last.Conclusion, status, conclusion)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	d.check = last
	state := map[string]string{"in_progress": "pending", "completed": last.Conclusion}[last.Status]
	d.say("   check %s on %s: %s — %s", demoCheck, short(sha), strings.ToUpper(state), last.Output.Title)
	return nil
}

// waitMerged waits for the App to merge the pull request.
func (d *demo) waitMerged(ctx context.Context, n int) (githubsim.PRState, error) {
	deadline := time.Now().Add(demoStepTimeout)
	for {
		pr, err := d.sim.PullRequest(demoOwner, demoRepo, n)
		if err != nil {
			return pr, err
		}
		if pr.Merged {
			return pr, nil
		}
		if time.Now().After(deadline) {
			return pr, fmt.Errorf("PR #%d was not merged (state %s)", n, pr.State)
		}
		select {
		case <-ctx.Done():
			return pr, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// printAudit prints the audit trail and verifies its hash chain.
func (d *demo) printAudit(ctx context.Context, dsn string) error {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open the store: %w", err)
	}
	defer st.Close()
	recs, err := st.AuditRecords(ctx, 0, 1000)
	if err != nil {
		return fmt.Errorf("read the audit log: %w", err)
	}
	d.say("\nAudit trail (hash-chained; each record holds the previous record's hash):")
	for _, r := range recs {
		var data struct {
			State, Status, Detail, Summary, Team string
			AttestationID                        int64 `json:"attestation_id"`
		}
		_ = json.Unmarshal(r.Data, &data)
		what := data.State
		if r.Kind == audit.KindExecution {
			what = data.Status + ": " + data.Detail
		}
		if r.Kind == audit.KindReviewRequest {
			what = data.Status + " " + data.Team
		}
		if data.AttestationID != 0 {
			what = fmt.Sprintf("uploaded as attestation %d", data.AttestationID)
		}
		d.say("  #%-2d %s  %-9s %s#%d %s@%s  %s  [%s]", r.Seq, r.Time.Format("15:04:05.000"), r.Kind, r.Repo, r.PR, r.Gate, short(r.HeadSHA), what, short(r.Hash))
	}
	n, err := audit.Verify(ctx, st)
	if err != nil {
		return fmt.Errorf("the audit chain does not verify: %w", err)
	}
	if n == 0 {
		return errors.New("the audit log is empty")
	}
	d.say("Audit chain verified: %s, unbroken.", count(n, "record"))
	return nil
}

// short abbreviates a SHA or hash for people.
func short(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}
