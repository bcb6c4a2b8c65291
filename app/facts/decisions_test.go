package facts

import (
	"context"
	"crypto"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
	"github.com/zgate-dev/zgate/decision"
	"github.com/zgate-dev/zgate/policy"
)

const decisionPolicyYAML = `version: 1
gates:
  - name: ship
    controls:
      teams:
        from: []
      decision:
        repository: acme/app
        gate: production
        key: .github/decision.pub
`

// decisionFixture signs gate decisions with a fresh key, timestamped by a
// test TSA that roots trusts; pub is the key's PEM.
type decisionFixture struct {
	roots *attest.TrustedRoots
	key   crypto.Signer
	pub   string
	sign  func(signer crypto.Signer, repo, head, gate string) []byte
}

func newDecisionFixture(t *testing.T) decisionFixture {
	t.Helper()
	gh := attesttest.NewGitHubInstance(t)
	tsa := httptest.NewServer(gh.TSAHandler())
	t.Cleanup(tsa.Close)
	roots, err := attest.LoadTrustedRoots(gh.TrustedRootJSON())
	if err != nil {
		t.Fatal(err)
	}
	key := attesttest.NewKey(t, attesttest.ECDSAP256)
	pub := string(attesttest.PublicKeyPEM(t, key))
	sign := func(signer crypto.Signer, repo, head, gate string) []byte {
		t.Helper()
		now := time.Now().UTC()
		p := decision.Predicate{
			Repository: repo, PullRequest: 9, Base: decision.Base{Ref: "main"}, HeadSHA: head, Gate: gate, Action: "merge",
			Policy:   decision.File{Path: ".github/zgate.yml", SHA256: strings.Repeat("a", 64)},
			Controls: []decision.Control{{ID: "@acme/sre", Kind: "team", Commit: head, Approver: "carol", SubmittedAt: &now}},
			Window:   "24h0m0s", DecidedAt: now, ZgateVersion: "test",
		}
		st, err := decision.Statement(p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := attest.SignKeyed(context.Background(), signer, st, attest.SignOptions{TSAURL: tsa.URL})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	return decisionFixture{roots: roots, key: key, pub: pub, sign: sign}
}

// TestGatherDecisions: the decisions of the control's repository about
// the head are fetched there and verified with the key file of the base
// branch only; what does not verify is rejected with its reason, and what
// cannot be checked at all is unavailable (the gate fails closed).
func TestGatherDecisions(t *testing.T) {
	fx := newDecisionFixture(t)
	roots, key, pub, sign := fx.roots, fx.key, fx.pub, fx.sign

	tests := []struct {
		name string
		// baseKey is the key file on main ("" none); prKey the one the
		// pull request adds.
		baseKey, prKey string
		noSource       bool
		// upload returns the bundles stored under the head's digest in
		// acme/app.
		upload          func(head string) [][]byte
		wantOK          int
		wantRejected    []string
		wantUnavailable string
	}{
		{
			name: "valid", baseKey: pub,
			upload: func(head string) [][]byte { return [][]byte{sign(key, "acme/app", head, "production")} },
			wantOK: 1,
		},
		{
			name: "another key, another gate, another commit, another repository", baseKey: pub,
			upload: func(head string) [][]byte {
				return [][]byte{
					sign(attesttest.NewKey(t, attesttest.ECDSAP256), "acme/app", head, "production"),
					sign(key, "acme/app", head, "staging"),
					sign(key, "acme/app", strings.Repeat("e", 40), "production"),
					sign(key, "acme/evil", head, "production"),
				}
			},
			wantRejected: []string{"names no configured public key", `not "production"'s`, "subject", "of acme/evil, not of acme/app"},
		},
		{
			name: "the pull request brings its own key", prKey: pub,
			upload:          func(head string) [][]byte { return [][]byte{sign(key, "acme/app", head, "production")} },
			wantUnavailable: "the key file .github/decision.pub does not exist on the base branch",
		},
		{
			name: "the key file holds no key", baseKey: "not a key\n",
			upload:          func(head string) [][]byte { return nil },
			wantUnavailable: "key .github/decision.pub",
		},
		{
			name: "no trusted root", baseKey: pub, noSource: true,
			upload:          func(head string) [][]byte { return [][]byte{sign(key, "acme/app", head, "production")} },
			wantUnavailable: "no trusted root",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := map[string]string{".github/zgate.yml": decisionPolicyYAML}
			if tt.baseKey != "" {
				base[".github/decision.pub"] = tt.baseKey
			}
			pr := map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"}
			if tt.prKey != "" {
				pr[".github/decision.pub"] = tt.prKey
			}
			w := newWorld(t, base, pr)
			if err := w.env.Sim.CreateRepo(owner, "app", map[string]string{"README.md": "app\n"}); err != nil {
				t.Fatal(err)
			}
			digest := attest.SubjectDigests(owner, "app", w.head)[0]
			for _, b := range tt.upload(w.head) {
				if err := w.env.Sim.AddAttestation(owner, "app", digest, json.RawMessage(b)); err != nil {
					t.Fatal(err)
				}
			}
			g := &Gatherer{}
			if !tt.noSource {
				g.Attestations = &attestSource{v: attest.NewVerifier(roots), roots: roots}
			}
			res, err := g.Gather(context.Background(), w.gh, owner, repoName, w.pr)
			if err != nil {
				t.Fatal(err)
			}
			f := res.Facts
			if len(f.Decisions) != tt.wantOK {
				t.Errorf("%d decisions, want %d: %+v (rejected %+v)", len(f.Decisions), tt.wantOK, f.Decisions, f.RejectedDecisions)
			}
			for _, d := range f.Decisions {
				if d.Repository != "acme/app" || d.Gate != "production" || d.Key != ".github/decision.pub" || d.Commit != w.head || d.SignedAt.IsZero() || d.PullRequest != 9 {
					t.Errorf("decision %+v", d)
				}
			}
			var rejected []policy.RejectedDecision
			for _, r := range f.RejectedDecisions {
				if r.Unavailable {
					if tt.wantUnavailable == "" || !strings.Contains(r.Reason, tt.wantUnavailable) {
						t.Errorf("unavailable %q, want %q", r.Reason, tt.wantUnavailable)
					}
					continue
				}
				rejected = append(rejected, r)
			}
			if tt.wantUnavailable != "" && len(f.RejectedDecisions) == len(rejected) {
				t.Errorf("nothing unavailable, want %q", tt.wantUnavailable)
			}
			if len(rejected) != len(tt.wantRejected) {
				t.Fatalf("rejected %+v, want %d", rejected, len(tt.wantRejected))
			}
			for i, r := range rejected {
				if !strings.Contains(r.Reason, tt.wantRejected[i]) {
					t.Errorf("rejected[%d] = %q, want %q", i, r.Reason, tt.wantRejected[i])
				}
			}
			// And the gate: only the valid decision opens it; an
			// unavailable lookup fails it.
			gd := policy.Evaluate(res.Policy, &f, time.Now()).Gates[0]
			want := map[bool]policy.State{true: policy.StateSuccess, false: policy.StatePending}[tt.wantOK > 0]
			if tt.wantUnavailable != "" {
				want = policy.StateFailure
			}
			if gd.State != want {
				t.Errorf("gate %s (%s), want %s", gd.State, gd.Summary, want)
			}
		})
	}
}

// TestGatherDeploymentDecisions: for a deployment the deployed commit
// must carry the decision (here the merge commit of the pull request that
// introduced it); a decision about the pull request's head alone does not
// count for it.
func TestGatherDeploymentDecisions(t *testing.T) {
	fx := newDecisionFixture(t)
	for _, tt := range []struct {
		name    string
		onMerge bool
		wantOK  int
	}{
		{"decision about the deployed merge commit", true, 1},
		{"decision about the head only", false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, map[string]string{".github/zgate.yml": decisionPolicyYAML, ".github/decision.pub": fx.pub},
				map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
			must(t, w.env.Sim.CreateRepo(owner, "app", map[string]string{"README.md": "app\n"}))
			merged, err := w.env.Sim.MergePR(owner, repoName, w.pr, "carol", w.head, "merge")
			must(t, err)
			about := w.head
			if tt.onMerge {
				about = merged
			}
			b := fx.sign(fx.key, "acme/app", about, "production")
			must(t, w.env.Sim.AddAttestation(owner, "app", attest.SubjectDigests(owner, "app", about)[0], json.RawMessage(b)))
			g := &Gatherer{Attestations: &attestSource{v: attest.NewVerifier(fx.roots), roots: fx.roots}}
			res, err := g.GatherDeployment(context.Background(), w.gh, owner, repoName, "main",
				policy.Deployment{Environment: "production", SHA: merged, Deployer: "bob", RequestedAt: time.Now()})
			must(t, err)
			if len(res.Facts.Decisions) != tt.wantOK {
				t.Fatalf("%d decisions, want %d: %+v (rejected %+v)", len(res.Facts.Decisions), tt.wantOK, res.Facts.Decisions, res.Facts.RejectedDecisions)
			}
			for _, d := range res.Facts.Decisions {
				if d.Commit != merged {
					t.Errorf("decision about %s, want the deployed %s", d.Commit, merged)
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
