package attest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
)

// ciPolicy accepts acme/ci's attest workflow on main.
var ciPolicy = attest.SignerPolicy{
	Issuer:            attesttest.GitHubIssuer,
	Identity:          `https://github\.com/acme/ci/\.github/workflows/attest\.yml@refs/heads/main`,
	SourceRepository:  "acme/ci",
	RunnerEnvironment: "github-hosted",
	PredicateType:     predicateCI,
}

// tamper replaces the DSSE payload of a bundle, keeping its signature.
func tamper(t *testing.T, bundle []byte, payload []byte) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	b["dsseEnvelope"].(map[string]any)["payload"] = base64.StdEncoding.EncodeToString(payload)
	return asJSON(t, b)
}

func TestVerifyRejects(t *testing.T) {
	gh := attesttest.NewGitHubInstance(t)
	other := attesttest.NewGitHubInstance(t) // same organization, other keys
	foreign := attesttest.NewGitHubInstance(t, attesttest.Organization("Evil Corp"))
	pg := attesttest.NewPublicGood(t)
	v := attest.NewVerifier(mustRoots(t, gh.TrustedRootJSON(), pg.TrustedRootJSON()))

	st := attesttest.Statement(t, payments, predicateCI, nil)
	now := time.Now()
	evil := attesttest.Workflow("evil", "ci", ".github/workflows/attest.yml", "refs/heads/main")
	selfHosted := gh.Default
	selfHosted.RunnerEnvironment = "self-hosted"
	paymentsWorkflow := attesttest.Workflow("acme", "payments", ".github/workflows/ci.yml", "refs/heads/main")
	gitCommitOnly := attesttest.RawStatement(t, predicateCI, attesttest.Subject{Digest: map[string]string{"gitCommit": sha1}})

	tests := []struct {
		name    string
		bundle  []byte
		subject attest.Commit
		policy  attest.SignerPolicy
		want    error
	}{
		{"another repository's workflow", gh.SignAs(evil, st), payments, ciPolicy, attest.ErrIdentity},
		{"another commit", gh.Sign(st), attest.Commit{Owner: "acme", Repo: "payments", SHA: sha2}, ciPolicy, attest.ErrNotBound},
		{"tampered payload", tamper(t, gh.Sign(st), attesttest.Statement(t, payments, "https://zgate.dev/other/v1", nil)), payments, ciPolicy, attest.ErrBadSignature},
		{"untrusted CA of a trusted organization", other.Sign(st), payments, ciPolicy, attest.ErrUntrustedCA},
		{"untrusted CA of another organization", foreign.Sign(st), payments, ciPolicy, attest.ErrUntrustedCA},
		{"expired certificate at signing time", gh.Sign(st, attesttest.At(now), attesttest.CertValidity(now.Add(-20*time.Minute), now.Add(-10*time.Minute))), payments, ciPolicy, attest.ErrCertificateExpired},
		{"certificate not yet valid at signing time", gh.Sign(st, attesttest.At(now), attesttest.CertValidity(now.Add(time.Minute), now.Add(10*time.Minute))), payments, ciPolicy, attest.ErrCertificateExpired},
		{"wrong predicate type", gh.Sign(attesttest.Statement(t, payments, "https://slsa.dev/provenance/v1", nil)), payments, ciPolicy, attest.ErrPredicateType},
		{"replayed from another repository (subject name)", gh.Sign(attesttest.Statement(t, attest.Commit{Owner: "acme", Repo: "other", SHA: sha1}, predicateCI, nil)), payments, ciPolicy, attest.ErrNotBound},
		{"replayed from another repository (gitCommit digest)", gh.SignAs(attesttest.Workflow("acme", "other", ".github/workflows/ci.yml", "refs/heads/main"), gitCommitOnly), payments, attest.SignerPolicy{Issuer: attesttest.GitHubIssuer, Identity: ".*"}, attest.ErrNotBound},
		{"gitCommit digest signed in the repository", gh.SignAs(paymentsWorkflow, gitCommitOnly), payments, attest.SignerPolicy{Issuer: attesttest.GitHubIssuer, Identity: `https://github\.com/acme/payments/.*`}, nil},
		{"subject name with a wrong digest", gh.Sign(attesttest.RawStatement(t, predicateCI, attesttest.Subject{Name: payments.SubjectName(), Digest: map[string]string{"sha256": "00"}})), payments, ciPolicy, attest.ErrNotBound},
		{"subject name in capitals with its digest", gh.Sign(attesttest.RawStatement(t, predicateCI, attesttest.Subject{Name: "git+https://github.com/Acme/Payments@" + sha1, Digest: map[string]string{"sha256": sha256Hex("git+https://github.com/Acme/Payments@" + sha1)}})), payments, ciPolicy, nil},
		{"no timestamp", gh.Sign(st, attesttest.WithoutTimestamp()), payments, ciPolicy, attest.ErrNoVerifiedTime},
		{"self-hosted runner", gh.SignAs(selfHosted, st), payments, ciPolicy, attest.ErrRunnerEnvironment},
		{"another source repository", gh.SignAs(paymentsWorkflow, st), payments, attest.SignerPolicy{Issuer: attesttest.GitHubIssuer, Identity: ".*", SourceRepository: "acme/ci"}, attest.ErrSourceRepository},
		{"another issuer", gh.Sign(st), payments, attest.SignerPolicy{Issuer: "https://accounts.example", Identity: ".*"}, attest.ErrIssuer},
		{"identity regex is anchored", gh.Sign(st), payments, attest.SignerPolicy{Issuer: attesttest.GitHubIssuer, Identity: `https://github\.com/acme/ci/`}, attest.ErrIdentity},
		{"signer workflow", gh.Sign(st), payments, attest.SignerPolicy{Issuer: attesttest.GitHubIssuer, Identity: ".*", SignerWorkflow: `https://github\.com/acme/ci/\.github/workflows/release\.yml@.*`}, attest.ErrSignerWorkflow},
		{"not an in-toto statement", gh.Sign([]byte(`{"_type":"https://example.com/other","subject":[{"name":"x","digest":{"sha256":"00"}}],"predicateType":"p"}`)), payments, ciPolicy, attest.ErrNotStatement},
		{"not JSON", []byte("not a bundle"), payments, ciPolicy, attest.ErrMalformed},
		{"empty object", []byte("{}"), payments, ciPolicy, attest.ErrMalformed},
		{"public good: log time outside certificate", pg.Sign("ci@acme.example", "https://accounts.example", st, now.Add(30*time.Minute)), payments, attest.SignerPolicy{Issuer: "https://accounts.example", Identity: ".*"}, attest.ErrCertificateExpired},
		{"public good: accepted", pg.Sign("ci@acme.example", "https://accounts.example", st, time.Time{}), payments, attest.SignerPolicy{Issuer: "https://accounts.example", Identity: `ci@acme\.example`}, nil},
		{"GitHub instance: accepted", gh.Sign(st), payments, ciPolicy, nil},
		{"bundle v0.2 with certificate chain: accepted", gh.Sign(st, attesttest.Version("v0.2")), payments, ciPolicy, nil},
		{"bundle v0.1 with certificate chain: accepted", gh.Sign(st, attesttest.Version("v0.1")), payments, ciPolicy, nil},
		{"bundle v0.2 chain from an untrusted CA", other.Sign(st, attesttest.Version("v0.2")), payments, ciPolicy, attest.ErrUntrustedCA},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(tc.bundle, tc.subject)
			if err == nil {
				err = tc.policy.Check(res)
			}
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify+Check = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify+Check = %v, want errors.Is %v", err, tc.want)
			}
			if !errors.Is(err, attest.ErrRejected) {
				t.Errorf("Verify+Check = %v, does not wrap ErrRejected", err)
			}
			if res.BundleDigest == "" {
				t.Errorf("Result.BundleDigest is empty on rejection")
			}
			t.Logf("reason: %v", err)
		})
	}
}

func TestVerifyInvalidSubject(t *testing.T) {
	v := attest.NewVerifier(nil)
	for _, c := range []attest.Commit{
		{Owner: "acme", Repo: "payments", SHA: "abc123"},
		{Owner: "", Repo: "payments", SHA: sha1},
		{Owner: "acme/x", Repo: "payments", SHA: sha1},
	} {
		_, err := v.Verify([]byte("{}"), c)
		if err == nil || errors.Is(err, attest.ErrRejected) {
			t.Errorf("Verify(%v) = %v, want a non-rejection error", c, err)
		}
	}
}

func TestLoadTrustedRootsJSONL(t *testing.T) {
	gh := attesttest.NewGitHubInstance(t)
	pg := attesttest.NewPublicGood(t)
	tests := []struct {
		name    string
		data    []byte
		wantErr bool
	}{
		{"one JSON document", gh.TrustedRootJSON(), false},
		{"JSON lines", bytes.Join([][]byte{pg.TrustedRootJSON(), gh.TrustedRootJSON(), {}}, []byte("\n")), false},
		{"empty", []byte(" \n"), true},
		{"garbage line", append(gh.TrustedRootJSON(), []byte("\n{nope")...), true},
		{"not a trusted root", []byte(`{"mediaType":"x"}`), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := attest.LoadTrustedRoots(tc.data)
			if (err != nil) != tc.wantErr {
				t.Fatalf("LoadTrustedRoots = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

func TestVerifyRequiresSCTWhenRootListsCTLogs(t *testing.T) {
	pg := attesttest.NewPublicGood(t)
	v := attest.NewVerifier(mustRoots(t, pg.TrustedRootWithCTLogJSON()))
	b := pg.Sign("ci@acme.example", "https://accounts.example", attesttest.Statement(t, payments, predicateCI, nil), time.Time{})
	_, err := v.Verify(b, payments)
	if !errors.Is(err, attest.ErrCertificateTransparency) {
		t.Fatalf("Verify = %v, want errors.Is ErrCertificateTransparency", err)
	}
}
