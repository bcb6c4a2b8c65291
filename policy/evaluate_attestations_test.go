package policy

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// ciAttestationWith is an hour-old CI attestation for the head, changed by
// edit.
func ciAttestationWith(edit func(a *Attestation)) Attestation {
	a := ciAttestation(time.Hour)
	edit(&a)
	return a
}

func TestEvaluateAttestations(t *testing.T) {
	tests := []struct {
		name  string
		atts  []Attestation
		rej   []RejectedAttestation
		want  bool
		notes int
	}{
		{name: "verified for the head", atts: []Attestation{ciAttestation(time.Hour)}, want: true},
		{
			name: "for another commit",
			atts: []Attestation{ciAttestationWith(func(a *Attestation) { a.Commit = oldSHA })},
			want: false, notes: 1,
		},
		{
			name: "from another identity",
			atts: []Attestation{ciAttestationWith(func(a *Attestation) {
				a.Identity = "https://github.com/mallory/ci/.github/workflows/test.yml@refs/heads/main"
			})},
			want: false, notes: 1,
		},
		{
			name: "identity must match the whole string",
			atts: []Attestation{ciAttestationWith(func(a *Attestation) { a.Identity += "-evil" })},
			want: false, notes: 1,
		},
		{
			name: "from another issuer",
			atts: []Attestation{ciAttestationWith(func(a *Attestation) { a.Issuer = "https://evil.example" })},
			want: false, notes: 1,
		},
		{
			name: "other predicate types are ignored",
			atts: []Attestation{ciAttestationWith(func(a *Attestation) {
				a.PredicateType = "https://slsa.dev/provenance/v1"
			})},
			want: false,
		},
		{name: "outside the window", atts: []Attestation{ciAttestation(25 * time.Hour)}, want: false, notes: 1},
		{name: "exactly at the window edge", atts: []Attestation{ciAttestation(24 * time.Hour)}, want: true},
		{name: "inside the clock skew", atts: []Attestation{ciAttestation(-time.Minute)}, want: true},
		{name: "in the future", atts: []Attestation{ciAttestation(-time.Hour)}, want: false, notes: 1},
		{
			name: "rejected attestations are explained",
			rej:  []RejectedAttestation{{Source: "sha256:1234", Reason: "certificate chain does not verify"}},
			want: false, notes: 1,
		},
		{
			name: "one good among bad ones",
			atts: []Attestation{ciAttestationWith(func(a *Attestation) { a.Commit = oldSHA }), ciAttestation(2 * time.Hour)},
			want: true, notes: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := evalGate()
			g.Controls.Attestations = []AttestationControl{ciControl()}
			f := evalFacts()
			f.Attestations = tt.atts
			f.RejectedAttestations = tt.rej
			gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
			if len(gd.Controls) != 1 {
				t.Fatalf("got %d controls, want 1: %+v", len(gd.Controls), gd.Controls)
			}
			c := gd.Controls[0]
			if c.Held != tt.want {
				t.Errorf("held = %v (%s), want %v", c.Held, c.Reason, tt.want)
			}
			if len(c.Notes) != tt.notes {
				t.Errorf("notes = %q, want %d of them", c.Notes, tt.notes)
			}
			wantState := StatePending
			if tt.want {
				wantState = StateSuccess
			}
			if gd.State != wantState {
				t.Errorf("state = %s, want %s", gd.State, wantState)
			}
		})
	}
}

func TestEvaluateIdentityWithoutCompiledRE(t *testing.T) {
	g := evalGate()
	c := ciControl()
	c.IdentityRE = nil
	g.Controls.Attestations = []AttestationControl{c}
	f := evalFacts()
	f.Attestations = []Attestation{ciAttestation(time.Hour)}
	if got := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0].State; got != StateSuccess {
		t.Errorf("state = %s, want success (Identity compiled and anchored on demand)", got)
	}
	c.Identity = "("
	g.Controls.Attestations = []AttestationControl{c}
	if got := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0].State; got != StatePending {
		t.Errorf("state with a bad identity regex = %s, want pending", got)
	}
}

// signedOnGitHub is ciAttestation with the certificate fields a GitHub
// Actions signing certificate carries.
func signedOnGitHub() Attestation {
	a := ciAttestation(time.Hour)
	a.SourceRepository = "https://github.com/acme/ci"
	a.SignerWorkflow = ciID
	a.RunnerEnvironment = RunnerGitHubHosted
	return a
}

// withWorkflow sets a control's signer workflow as Parse would.
func withWorkflow(c *AttestationControl, pattern string) {
	c.SignerWorkflow = pattern
	c.SignerWorkflowRE = regexp.MustCompile(`^(?:` + pattern + `)$`)
}

func TestEvaluateSignerPolicy(t *testing.T) {
	const workflow = `https://github\.com/acme/ci/\.github/workflows/test\.yml@refs/heads/main`
	tests := []struct {
		name  string
		ctl   func(*AttestationControl)
		att   func(*Attestation)
		want  bool
		notes int
	}{
		{name: "no optional fields accept any", att: func(a *Attestation) { *a = ciAttestation(time.Hour) }, want: true},
		{name: "source repository as owner/repo", ctl: func(c *AttestationControl) { c.SourceRepository = "acme/ci" }, want: true},
		{name: "source repository as URL", ctl: func(c *AttestationControl) { c.SourceRepository = "https://github.com/acme/ci" }, want: true},
		{name: "source repository ignores case", ctl: func(c *AttestationControl) { c.SourceRepository = "ACME/CI" }, want: true},
		{
			name: "source repository as snapshot owner/repo",
			ctl:  func(c *AttestationControl) { c.SourceRepository = "https://github.com/acme/ci/" },
			att:  func(a *Attestation) { a.SourceRepository = "acme/ci" },
			want: true,
		},
		{name: "another source repository", ctl: func(c *AttestationControl) { c.SourceRepository = "acme/payments" }, notes: 1},
		{name: "source repository prefix", ctl: func(c *AttestationControl) { c.SourceRepository = "acme/c" }, notes: 1},
		{
			name:  "source repository on another host",
			ctl:   func(c *AttestationControl) { c.SourceRepository = "https://ghe.example/acme/ci" },
			notes: 1,
		},
		{
			name:  "no source repository in the certificate",
			ctl:   func(c *AttestationControl) { c.SourceRepository = "acme/ci" },
			att:   func(a *Attestation) { a.SourceRepository = "" },
			notes: 1,
		},
		{name: "signer workflow", ctl: func(c *AttestationControl) { withWorkflow(c, workflow) }, want: true},
		{
			name: "signer workflow compiled on demand",
			ctl:  func(c *AttestationControl) { c.SignerWorkflow = workflow },
			want: true,
		},
		{
			name:  "signer workflow on another branch",
			ctl:   func(c *AttestationControl) { withWorkflow(c, workflow) },
			att:   func(a *Attestation) { a.SignerWorkflow = strings.TrimSuffix(ciID, "main") + "dev" },
			notes: 1,
		},
		{
			name:  "signer workflow must match the whole URI",
			ctl:   func(c *AttestationControl) { withWorkflow(c, `https://github\.com/acme/ci/`) },
			notes: 1,
		},
		{
			name:  "no signer workflow in the certificate",
			ctl:   func(c *AttestationControl) { withWorkflow(c, ".*x") },
			att:   func(a *Attestation) { a.SignerWorkflow = "" },
			notes: 1,
		},
		{
			// Wrapped unchecked, "x)|(.*" would match every workflow.
			name: "bad signer workflow pattern fails closed",
			ctl:  func(c *AttestationControl) { c.SignerWorkflow = "x)|(.*" },
		},
		{name: "github-hosted runner", ctl: func(c *AttestationControl) { c.RunnerEnvironment = RunnerGitHubHosted }, want: true},
		{
			name:  "self-hosted runner refused",
			ctl:   func(c *AttestationControl) { c.RunnerEnvironment = RunnerGitHubHosted },
			att:   func(a *Attestation) { a.RunnerEnvironment = RunnerSelfHosted },
			notes: 1,
		},
		{
			name:  "no runner environment in the certificate",
			ctl:   func(c *AttestationControl) { c.RunnerEnvironment = RunnerGitHubHosted },
			att:   func(a *Attestation) { a.RunnerEnvironment = "" },
			notes: 1,
		},
		{
			name:  "runner environment compared exactly",
			ctl:   func(c *AttestationControl) { c.RunnerEnvironment = RunnerGitHubHosted },
			att:   func(a *Attestation) { a.RunnerEnvironment = "GitHub-Hosted" },
			notes: 1,
		},
		{
			name: "all three",
			ctl: func(c *AttestationControl) {
				c.SourceRepository, c.RunnerEnvironment = "acme/ci", RunnerGitHubHosted
				withWorkflow(c, workflow)
			},
			want: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ciControl()
			if tt.ctl != nil {
				tt.ctl(&c)
			}
			a := signedOnGitHub()
			if tt.att != nil {
				tt.att(&a)
			}
			g := evalGate()
			g.Controls.Attestations = []AttestationControl{c}
			f := evalFacts()
			f.Attestations = []Attestation{a}
			got := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0].Controls[0]
			if got.Held != tt.want {
				t.Errorf("held = %v (%s), want %v", got.Held, got.Reason, tt.want)
			}
			if len(got.Notes) != tt.notes {
				t.Errorf("notes = %q, want %d of them", got.Notes, tt.notes)
			}
		})
	}
}

func TestSameRepository(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"acme/ci", "acme/ci", true},
		{"acme/ci", "https://github.com/acme/ci", true},
		{"https://GitHub.com/Acme/CI/", "acme/ci", true},
		{"https://ghe.example/acme/ci", "https://GHE.example/acme/ci", true},
		{"https://ghe.example/acme/ci", "acme/ci", false},
		{"acme/ci", "acme/cd", false},
		{"acme/ci", "evil/acme/ci", false},
		{"", "", false},
		{"", "acme/ci", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+" "+tt.b, func(t *testing.T) {
			if got := sameRepository(tt.a, tt.b); got != tt.want {
				t.Errorf("sameRepository(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
