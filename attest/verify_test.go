package attest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
)

const (
	predicateCI = "https://zgate.dev/ci-result/v1"
	sha1        = "4c7f3b0e0d6f1a2b3c4d5e6f708192a3b4c5d6e7"
	sha2        = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
)

var payments = attest.Commit{Owner: "acme", Repo: "payments", SHA: sha1}

func mustRoots(t *testing.T, docs ...[]byte) *attest.TrustedRoots {
	t.Helper()
	roots, err := attest.LoadTrustedRoots(bytes.Join(docs, []byte("\n")))
	if err != nil {
		t.Fatalf("LoadTrustedRoots: %v", err)
	}
	return roots
}

func TestVerifyGitHubInstance(t *testing.T) {
	for _, n := range []int{1, 2} {
		gh := attesttest.NewGitHubInstance(t, attesttest.Intermediates(n))
		v := attest.NewVerifier(mustRoots(t, gh.TrustedRootJSON()))
		at := time.Now().Add(-time.Hour).Truncate(time.Second).UTC()
		b := gh.Sign(attesttest.Statement(t, payments, predicateCI, map[string]string{"result": "pass"}), attesttest.At(at))
		got, err := v.Verify(b, payments)
		if err != nil {
			t.Fatalf("%d intermediates: Verify = %v, want nil", n, err)
		}
		want := attest.Result{
			Commit:            sha1,
			Repository:        "acme/payments",
			PredicateType:     predicateCI,
			Issuer:            attesttest.GitHubIssuer,
			Identity:          "https://github.com/acme/ci/.github/workflows/attest.yml@refs/heads/main",
			SourceRepository:  "https://github.com/acme/ci",
			SignerWorkflow:    "https://github.com/acme/ci/.github/workflows/attest.yml@refs/heads/main",
			RunnerEnvironment: "github-hosted",
			SignedAt:          at,
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(attest.Result{}, "BundleDigest", "Statement")); diff != "" {
			t.Errorf("%d intermediates: Verify result (-want +got):\n%s", n, diff)
		}
	}
}

func TestVerifyPublicGood(t *testing.T) {
	pg := attesttest.NewPublicGood(t)
	v := attest.NewVerifier(mustRoots(t, pg.TrustedRootJSON()))
	b := pg.Sign("ci@acme.example", "https://accounts.example", attesttest.Statement(t, payments, predicateCI, nil), time.Time{})
	got, err := v.Verify(b, payments)
	if err != nil {
		t.Fatalf("Verify = %v, want nil", err)
	}
	if got.Identity != "ci@acme.example" || got.Issuer != "https://accounts.example" || got.SignedAt.IsZero() {
		t.Errorf("Verify = %+v, want identity ci@acme.example, issuer https://accounts.example and a signing time", got)
	}
}

func asJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var _ = errors.Is

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
