package policy

import (
	"testing"
	"time"
)

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
			atts: []Attestation{func() Attestation { a := ciAttestation(time.Hour); a.Commit = oldSHA; return a }()},
			want: false, notes: 1,
		},
		{
			name: "from another identity",
			atts: []Attestation{func() Attestation {
				a := ciAttestation(time.Hour)
				a.Identity = "https://github.com/mallory/ci/.github/workflows/test.yml@refs/heads/main"
				return a
			}()},
			want: false, notes: 1,
		},
		{
			name: "identity must match the whole string",
			atts: []Attestation{func() Attestation { a := ciAttestation(time.Hour); a.Identity += "-evil"; return a }()},
			want: false, notes: 1,
		},
		{
			name: "from another issuer",
			atts: []Attestation{func() Attestation { a := ciAttestation(time.Hour); a.Issuer = "https://evil.example"; return a }()},
			want: false, notes: 1,
		},
		{
			name: "other predicate types are ignored",
			atts: []Attestation{func() Attestation {
				a := ciAttestation(time.Hour)
				a.PredicateType = "https://slsa.dev/provenance/v1"
				return a
			}()},
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
			atts: []Attestation{func() Attestation { a := ciAttestation(time.Hour); a.Commit = oldSHA; return a }(), ciAttestation(2 * time.Hour)},
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
