package decision_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
	"github.com/zgate-dev/zgate/decision"
)

func example(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/predicate.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecode(t *testing.T) {
	good := string(example(t))
	edit := func(old, new string) []byte {
		if !strings.Contains(good, old) {
			t.Fatalf("example has no %q", old)
		}
		return []byte(strings.Replace(good, old, new, 1))
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr bool
	}{
		{name: "example", data: []byte(good)},
		{name: "no codeowners, no merge", data: edit(`"merge_commit_sha": "9a8b7c6d5e4f30211a2b3c4d5e6f708192a3b4c5",`, "")},
		{name: "unknown field", data: edit(`"quorum": 2,`, `"quorum": 2, "extra": true,`), wantErr: true},
		{name: "trailing data", data: append([]byte(good), []byte(`{}`)...), wantErr: true},
		{name: "bad repository", data: edit(`"repository": "acme/payments"`, `"repository": "acme"`), wantErr: true},
		{name: "short head", data: edit(`"head_sha": "4c7f3b0e0d6f1a2b3c4d5e6f708192a3b4c5d6e7"`, `"head_sha": "4c7f3b0"`), wantErr: true},
		{name: "upper-case merge commit", data: edit(`9a8b7c6d5e4f30211a2b3c4d5e6f708192a3b4c5`, `9A8B7C6D5E4F30211A2B3C4D5E6F708192A3B4C5`), wantErr: true},
		{name: "no gate", data: edit(`"gate": "two-person"`, `"gate": ""`), wantErr: true},
		{name: "bad window", data: edit(`"window": "72h0m0s"`, `"window": "3 days"`), wantErr: true},
		{name: "no decision time", data: edit(`"decided_at": "2026-11-24T10:02:13Z",`, ""), wantErr: true},
		{name: "team control without approver", data: edit(`"approver": "bob", `, ""), wantErr: true},
		{name: "unknown control kind", data: edit(`"kind": "team"`, `"kind": "vibes"`), wantErr: true},
		{name: "policy without digest", data: edit(`"sha256": "3b6f0e9a1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7"`, `"sha256": ""`), wantErr: true},
		{name: "not JSON", data: []byte("{"), wantErr: true},
		{name: "array", data: []byte("[]"), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := decision.Decode(tc.data)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Decode = %+v, %v; want error %v", p, err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, decision.ErrInvalid) {
				t.Errorf("Decode error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(example(f))
	f.Add([]byte(`{"repository":"a/b"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decision.Decode(data)
		if err != nil {
			return
		}
		// What decodes makes a statement, and decodes again to itself.
		st, err := decision.Statement(p)
		if err != nil {
			t.Fatalf("Statement of a decoded predicate: %v", err)
		}
		if !bytes.Contains(st, []byte(decision.PredicateType)) {
			t.Fatalf("statement %s lacks the predicate type", st)
		}
	})
}

func TestVerify(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 2, 14, 0, time.UTC)
	gh := attesttest.NewGitHubInstance(t, attesttest.ValidAt(at))
	gh.TSAStampAt(at)
	tsa := httptest.NewServer(gh.TSAHandler())
	defer tsa.Close()
	roots, err := attest.LoadTrustedRoots(gh.TrustedRootJSON())
	if err != nil {
		t.Fatal(err)
	}
	key := attesttest.NewKey(t, attesttest.Ed25519)
	other := attesttest.NewKey(t, attesttest.ECDSAP256)
	p, err := decision.Decode(example(t))
	if err != nil {
		t.Fatal(err)
	}
	st, err := decision.Statement(p)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := attest.SignKeyed(context.Background(), key, st, attest.SignOptions{TSAURL: tsa.URL, HTTPClient: tsa.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ci, err := attest.SignKeyed(context.Background(), key, attesttest.Statement(t, attest.Commit{Owner: "acme", Repo: "payments", SHA: p.HeadSHA}, "https://zgate.dev/ci-result/v1", nil),
		attest.SignOptions{TSAURL: tsa.URL, HTTPClient: tsa.Client()})
	if err != nil {
		t.Fatal(err)
	}
	head := attest.Commit{Owner: "acme", Repo: "payments", SHA: p.HeadSHA}
	merge := attest.Commit{Owner: "acme", Repo: "payments", SHA: p.MergeCommitSHA}
	pol := attest.SignerPolicy{Issuer: attest.KeyIssuer, Identity: ".*"}
	v := attest.NewVerifier(roots, attest.WithPublicKeys(key.Public()))

	tests := []struct {
		name   string
		v      *attest.Verifier
		bundle []byte
		commit attest.Commit
		gate   string
		want   error
	}{
		{name: "head commit", v: v, bundle: bundle, commit: head},
		{name: "merge commit, gate named", v: v, bundle: bundle, commit: merge, gate: "two-person"},
		{name: "another gate", v: v, bundle: bundle, commit: merge, gate: "deploy", want: decision.ErrMismatch},
		{name: "another commit", v: v, bundle: bundle, commit: attest.Commit{Owner: "acme", Repo: "payments", SHA: strings.Repeat("ab", 20)}, want: attest.ErrNotBound},
		{name: "another repository", v: v, bundle: bundle, commit: attest.Commit{Owner: "acme", Repo: "web", SHA: p.HeadSHA}, want: attest.ErrNotBound},
		{name: "another key", v: attest.NewVerifier(roots, attest.WithPublicKeys(other.Public())), bundle: bundle, commit: head, want: attest.ErrUnverified},
		{name: "not a decision", v: v, bundle: ci, commit: head, want: attest.ErrPredicateType},
		{name: "a space added", v: v, bundle: append([]byte(" "), bundle...), commit: head, want: decision.ErrNotCanonical},
		{name: "keys reordered", v: v, bundle: reordered(t, bundle), commit: head, want: decision.ErrNotCanonical},
		{name: "foreign hint", v: v, bundle: bytes.Replace(bundle, []byte(`"hint":"`), []byte(`"hint":"x`), 1), commit: head, want: decision.ErrNotCanonical},
		{name: "no trusted timestamp authority", v: attest.NewVerifier(nil, attest.WithPublicKeys(key.Public())), bundle: bundle, commit: head, want: attest.ErrNoVerifiedTime},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decision.Verify(tc.v, tc.bundle, tc.commit, pol, tc.gate)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("Verify = %v, want errors.Is %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify = %v", err)
			}
			if got.Predicate.PullRequest != 42 || len(got.Predicate.Controls) != 2 || !got.Attestation.SignedAt.Equal(at) {
				t.Errorf("Verify = %+v", got)
			}
		})
	}
}

// reordered writes bundle's top-level keys in another order.
func reordered(t *testing.T, bundle []byte) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(bundle, &m); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString(`{"verificationMaterial":` + string(m["verificationMaterial"]))
	for _, k := range []string{"dsseEnvelope", "mediaType"} {
		b.WriteString(`,"` + k + `":` + string(m[k]))
	}
	b.WriteString("}")
	return b.Bytes()
}

// TestDocumentedExample: the example in docs/attestations.md is the one
// TestDecode decodes.
func TestDocumentedExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/attestations.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, bytes.TrimSpace(example(t))) {
		t.Error("docs/attestations.md does not show testdata/predicate.json")
	}
}
