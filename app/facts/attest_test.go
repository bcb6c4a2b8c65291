package facts

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
	"github.com/zgate-dev/zgate/policy"
)

func TestAttestSource(t *testing.T) {
	w := newWorld(t, nil, nil)
	gi := attesttest.NewGitHubInstance(t)
	roots, err := attest.LoadTrustedRoots(gi.TrustedRootJSON())
	if err != nil {
		t.Fatal(err)
	}
	const pt = "https://zgate.dev/ci-result/v1"
	digest := attest.SubjectDigests(owner, repoName, w.head)[0]
	// A self-hosted runner, so that the runner environment is not the
	// fixture's default.
	signer := attesttest.Workflow(owner, repoName, ".github/workflows/ci.yml", "refs/heads/main")
	signer.RunnerEnvironment = "self-hosted"
	good := gi.SignAs(signer, attesttest.Statement(t, attest.Commit{Owner: owner, Repo: repoName, SHA: w.head}, pt, map[string]string{"result": "pass"}))
	// Stored under the head's digest but about another commit: not bound.
	other := gi.Sign(attesttest.Statement(t, attest.Commit{Owner: owner, Repo: repoName, SHA: "1111111111111111111111111111111111111111"}, pt, nil))
	for _, b := range [][]byte{good, other} {
		if err := w.env.Sim.AddAttestation(owner, repoName, digest, b); err != nil {
			t.Fatal(err)
		}
	}
	g := &Gatherer{Attestations: NewAttestSource(attest.NewVerifier(roots))}
	res, err := g.Gather(context.Background(), w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	f := res.Facts
	if len(f.Unavailable) != 0 {
		t.Fatalf("Unavailable = %q, want none", f.Unavailable)
	}
	if len(f.Attestations) != 1 {
		t.Fatalf("attestations = %+v, want 1", f.Attestations)
	}
	a := f.Attestations[0]
	if a.SignedAt.IsZero() {
		t.Errorf("attestation %+v has no signing time", a)
	}
	want := policy.Attestation{
		PredicateType:     pt,
		Issuer:            attesttest.GitHubIssuer,
		Identity:          signer.Identity,
		SourceRepository:  "https://github.com/" + owner + "/" + repoName,
		SignerWorkflow:    signer.SignerWorkflow,
		RunnerEnvironment: "self-hosted",
		Commit:            w.head,
		SignedAt:          a.SignedAt,
		Digest:            a.Digest,
	}
	if !strings.HasPrefix(a.Digest, "sha256:") {
		t.Errorf("attestation digest = %q, want sha256:<hex>", a.Digest)
	}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("attestation mismatch (-want +got):\n%s", diff)
	}
	if len(f.RejectedAttestations) != 1 || f.RejectedAttestations[0].Reason == "" {
		t.Errorf("rejected = %+v, want the unbound one with a reason", f.RejectedAttestations)
	}
}
