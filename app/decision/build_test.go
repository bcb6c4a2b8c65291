package decision

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/decision"
	"github.com/zgate-dev/zgate/policy"
)

const (
	head    = "4c7f3b0e0d6f1a2b3c4d5e6f708192a3b4c5d6e7"
	base    = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c"
	merge   = "9a8b7c6d5e4f30211a2b3c4d5e6f708192a3b4c5"
	digestP = "3b6f0e9a1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7"
	digestC = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
)

func TestBuild(t *testing.T) {
	reviewed := time.Date(2026, 11, 24, 10, 2, 11, 0, time.UTC)
	signed := time.Date(2026, 11, 24, 9, 58, 40, 0, time.UTC)
	decided := time.Date(2026, 11, 24, 10, 2, 13, 0, time.FixedZone("CET", 3600))
	const identity = "https://github.com/acme/payments/.github/workflows/ci.yml@refs/heads/main"
	res := &facts.Result{
		HeadSHA: head, BaseRef: "main", ConfigSHA: base,
		Policy: &policy.Policy{}, PolicyFile: ".github/zgate.yml", PolicyDigest: digestP,
		CodeownersFile: ".github/CODEOWNERS", CodeownersDigest: digestC,
		Facts: policy.Facts{
			Repository:  "acme/payments",
			PullRequest: policy.PullRequest{Number: 42, HeadSHA: head},
			Reviews: []policy.Review{
				{ID: 7, User: "bob", State: "APPROVED", CommitID: head, SubmittedAt: reviewed.Add(-time.Hour)},
				{ID: 8, User: "bob", State: "APPROVED", CommitID: head, SubmittedAt: reviewed},
			},
			Attestations: []policy.Attestation{{Identity: identity, Issuer: "https://token.actions.githubusercontent.com", Commit: head, SignedAt: signed, Digest: "sha256:" + digestC}},
		},
	}
	g := &policy.Gate{Name: "two-person", Window: 72 * time.Hour, Then: policy.Action{Merge: &policy.MergeAction{Method: "squash"}}}
	gd := policy.GateDecision{Name: "two-person", State: policy.StateSuccess, Quorum: 2, Controls: []policy.ControlResult{
		{ID: "@acme/sre", Kind: policy.ControlTeam, Held: true, By: "bob", At: &reviewed, Commit: head},
		{ID: "@acme/security", Kind: policy.ControlTeam, Held: false},
		{ID: "ci", Kind: policy.ControlAttestation, Held: true, By: identity, At: &signed, Commit: head},
	}}
	got, err := Build(res, g, gd, "merge", merge, decided, "v1.2.3")
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	want := decision.Predicate{
		Repository: "acme/payments", PullRequest: 42, Base: decision.Base{Ref: "main", SHA: base},
		HeadSHA: head, MergeCommitSHA: merge, Gate: "two-person", Action: "merge",
		Policy:     decision.File{Path: ".github/zgate.yml", SHA256: digestP},
		Codeowners: &decision.File{Path: ".github/CODEOWNERS", SHA256: digestC},
		Controls: []decision.Control{
			{ID: "@acme/sre", Kind: "team", Commit: head, Approver: "bob", ReviewID: 8, SubmittedAt: &reviewed},
			{ID: "ci", Kind: "attestation", Commit: head, Digest: "sha256:" + digestC, Issuer: "https://token.actions.githubusercontent.com", Identity: identity, SignedAt: &signed},
		},
		Quorum: 2, Window: "72h0m0s", DecidedAt: decided.UTC(), ZgateVersion: "v1.2.3",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Build (-want +got):\n%s", diff)
	}

	// An override with no control, no CODEOWNERS, no merge commit.
	res.CodeownersFile, res.CodeownersDigest = "", ""
	gd.Controls = nil
	gd.Override = &policy.OverrideResult{By: []string{"frank"}, Reasons: []string{"outage"}}
	got, err = Build(res, g, gd, "none", "", decided, "v1.2.3")
	if err != nil {
		t.Fatalf("Build(override): %v", err)
	}
	if got.Codeowners != nil || got.MergeCommitSHA != "" || got.Action != "none" || got.Override == nil || got.Override.By[0] != "frank" || len(got.Controls) != 0 {
		t.Errorf("Build(override) = %+v", got)
	}

	// No policy, no decision.
	res.Policy = nil
	if _, err := Build(res, g, gd, "none", "", decided, "v1.2.3"); err == nil {
		t.Error("Build without a policy: want an error")
	}
}
