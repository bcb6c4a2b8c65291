package attest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
)

func mustDigest(t *testing.T, s string) attest.Artifact {
	t.Helper()
	a, err := attest.ParseDigest(s)
	if err != nil {
		t.Fatalf("ParseDigest(%q): %v", s, err)
	}
	return a
}

// TestVerifyArtifact verifies plain message signatures and DSSE statements
// against artifacts, from VirtualSigstore bundles and a real npm bundle.
func TestVerifyArtifact(t *testing.T) {
	pg := attesttest.NewPublicGood(t)
	v := attest.NewVerifier(mustRoots(t, pg.TrustedRootJSON()))
	const identity, issuer = "release@acme.example", "https://accounts.example"

	artifact := []byte("acme-payments-1.4.2.tar.gz contents")
	other := []byte("something else")
	msg := pg.SignMessage(identity, issuer, artifact, time.Time{})

	st := attesttest.Statement(t, payments, predicateCI, nil)
	dsse := pg.Sign(identity, issuer, st, time.Time{})
	subjectDigest := "sha256:" + sha256Hex(payments.SubjectName())

	realRoots, err := attest.LoadTrustedRoots(readTestdata(t, "testdata/publicgood/trusted_root.json"))
	if err != nil {
		t.Fatal(err)
	}
	npm := readTestdata(t, "testdata/publicgood/bundle-v0.1.json")
	const npmDigest = "sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"

	tests := []struct {
		name          string
		v             *attest.Verifier
		bundle        []byte
		artifact      attest.Artifact
		want          error
		wantDigest    string
		wantStatement []byte
		wantIdentity  string
	}{
		{name: "message signature, artifact bytes", v: v, bundle: msg, artifact: attest.ArtifactBytes(artifact), wantDigest: "sha256:" + sha256Hex(string(artifact)), wantIdentity: identity},
		{name: "message signature, digest", v: v, bundle: msg, artifact: mustDigest(t, "sha256:"+sha256Hex(string(artifact))), wantDigest: "sha256:" + sha256Hex(string(artifact)), wantIdentity: identity},
		{name: "message signature, upper-case algorithm", v: v, bundle: msg, artifact: mustDigest(t, "SHA256:"+sha256Hex(string(artifact))), wantDigest: "sha256:" + sha256Hex(string(artifact)), wantIdentity: identity},
		{name: "message signature, another artifact", v: v, bundle: msg, artifact: attest.ArtifactBytes(other), want: attest.ErrBadSignature},
		{name: "message signature, another digest", v: v, bundle: msg, artifact: mustDigest(t, "sha256:"+sha256Hex(string(other))), want: attest.ErrBadSignature},
		{name: "message signature, untrusted root", v: attest.NewVerifier(realRoots), bundle: msg, artifact: attest.ArtifactBytes(artifact), want: attest.ErrUntrustedCA},
		{name: "statement, subject digest", v: v, bundle: dsse, artifact: mustDigest(t, subjectDigest), wantDigest: subjectDigest, wantStatement: st, wantIdentity: identity},
		{name: "statement, subject bytes", v: v, bundle: dsse, artifact: attest.ArtifactBytes([]byte(payments.SubjectName())), wantDigest: subjectDigest, wantStatement: st, wantIdentity: identity},
		{name: "statement, another digest", v: v, bundle: dsse, artifact: attest.ArtifactBytes(other), want: attest.ErrNotBound},
		{name: "statement, tampered", v: v, bundle: tamper(t, dsse, attesttest.Statement(t, payments, predicateCI, map[string]string{"result": "fail"})), artifact: mustDigest(t, subjectDigest), want: attest.ErrUnverified},
		{name: "real npm provenance, sha512 subject", v: attest.NewVerifier(realRoots), bundle: npm, artifact: mustDigest(t, npmDigest), wantDigest: npmDigest,
			wantIdentity: "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"},
		{name: "real npm provenance, sha256 of nothing", v: attest.NewVerifier(realRoots), bundle: npm, artifact: attest.ArtifactBytes(nil), want: attest.ErrNotBound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.v.VerifyArtifact(tc.bundle, tc.artifact)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("VerifyArtifact = %v, want errors.Is %v", err, tc.want)
				}
				t.Logf("reason: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("VerifyArtifact = %v, want nil", err)
			}
			if res.ArtifactDigest != tc.wantDigest || res.Identity != tc.wantIdentity || res.SignedAt.IsZero() {
				t.Errorf("VerifyArtifact = digest %q identity %q signed at %v; want %q, %q, a time", res.ArtifactDigest, res.Identity, res.SignedAt, tc.wantDigest, tc.wantIdentity)
			}
			if tc.wantStatement != nil && !bytes.Equal(res.Statement, tc.wantStatement) {
				t.Errorf("Statement = %s, want %s", res.Statement, tc.wantStatement)
			}
			if res.Commit != "" {
				t.Errorf("Commit = %q, want none", res.Commit)
			}
		})
	}

	// Verify is VerifyArtifact plus the commit check: a message signature
	// is no statement about a commit.
	if _, err := v.Verify(msg, payments); !errors.Is(err, attest.ErrNotStatement) {
		t.Errorf("Verify(message signature) = %v, want ErrNotStatement", err)
	}
	if res, err := v.Verify(dsse, payments); err != nil || !bytes.Equal(res.Statement, st) {
		t.Errorf("Verify(statement) = %v, statement %s; want nil, the statement", err, res.Statement)
	}
}

func TestParseDigest(t *testing.T) {
	h := sha256Hex("")
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "sha256:" + h, want: "sha256:" + h},
		{in: "SHA256:" + h, want: "sha256:" + h},
		{in: "sha512:" + h + h, want: "sha512:" + h + h},
		{in: h, wantErr: true},
		{in: "md5:" + h, wantErr: true},
		{in: "sha256:" + h[:62], wantErr: true},
		{in: "sha256:" + h[:63] + "g", wantErr: true},
		{in: "sha384:" + h, wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tc := range tests {
		got, err := attest.ParseDigest(tc.in)
		if (err != nil) != tc.wantErr || (err == nil && got.String() != tc.want) {
			t.Errorf("ParseDigest(%q) = %v, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestVerifyKeyedForeignHint: a keyed bundle whose hint is not in zgate's
// format (npm's registry signatures use their own key ids) is tried with
// every configured key.
func TestVerifyKeyedForeignHint(t *testing.T) {
	at := time.Date(2026, 11, 24, 11, 30, 0, 0, time.UTC)
	gh := attesttest.NewGitHubInstance(t, attesttest.ValidAt(at))
	gh.TSAStampAt(at)
	tsa := httptest.NewServer(gh.TSAHandler())
	defer tsa.Close()
	roots := mustRoots(t, gh.TrustedRootJSON())

	key := attesttest.NewKey(t, attesttest.ECDSAP256)
	other := attesttest.NewKey(t, attesttest.Ed25519)
	st := attesttest.Statement(t, payments, predicateCI, nil)
	signed, err := attest.SignKeyed(context.Background(), key, st, attest.SignOptions{TSAURL: tsa.URL, HTTPClient: tsa.Client()})
	if err != nil {
		t.Fatal(err)
	}
	foreign := withHint(t, signed, "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA")
	fp, err := attest.KeyFingerprint(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	subjectDigest := mustDigest(t, "sha256:"+sha256Hex(payments.SubjectName()))

	both := attest.NewVerifier(roots, attest.WithPublicKeys(other.Public(), key.Public()))
	res, err := both.Verify(foreign, payments)
	if err != nil || res.Identity != fp || !res.SignedAt.Equal(at) {
		t.Errorf("Verify(foreign hint) = %v, identity %q at %v; want nil, %q at %v", err, res.Identity, res.SignedAt, fp, at)
	}
	if res, err := both.VerifyArtifact(foreign, subjectDigest); err != nil || res.Identity != fp {
		t.Errorf("VerifyArtifact(foreign hint) = %v, identity %q; want nil, %q", err, res.Identity, fp)
	}
	if _, err := attest.NewVerifier(roots, attest.WithPublicKeys(other.Public())).Verify(foreign, payments); !errors.Is(err, attest.ErrUnknownKey) {
		t.Errorf("Verify(foreign hint, other key only) = %v, want ErrUnknownKey", err)
	}
	tampered := tamper(t, foreign, attesttest.Statement(t, payments, predicateCI, map[string]string{"result": "fail"}))
	if _, err := both.Verify(tampered, payments); !errors.Is(err, attest.ErrUnknownKey) {
		t.Errorf("Verify(tampered, foreign hint) = %v, want ErrUnknownKey", err)
	}
	// A bare DSSE envelope is checked against its subjects too (and has no
	// time, so it never verifies).
	env := attesttest.Envelope(t, key, st)
	if _, err := both.VerifyArtifact(env, attest.ArtifactBytes([]byte("other"))); !errors.Is(err, attest.ErrNotBound) {
		t.Errorf("VerifyArtifact(envelope, another artifact) = %v, want ErrNotBound", err)
	}
	if _, err := both.VerifyArtifact(env, subjectDigest); !errors.Is(err, attest.ErrNoVerifiedTime) {
		t.Errorf("VerifyArtifact(envelope, its subject) = %v, want ErrNoVerifiedTime", err)
	}
	// A hint naming a configured key still means that key alone.
	named := []byte(replaceHint(t, signed, other))
	if _, err := both.Verify(named, payments); !errors.Is(err, attest.ErrBadSignature) {
		t.Errorf("Verify(hint of another configured key) = %v, want ErrBadSignature", err)
	}
}

func withHint(t *testing.T, bundle []byte, hint string) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	b["verificationMaterial"].(map[string]any)["publicKey"] = map[string]any{"hint": hint}
	return asJSON(t, b)
}

// TestDiagnoseRekorV2ZeroTime: a log entry without an integrated time (as
// Rekor v2 writes them) whose inclusion proof fails is a log failure, not a
// certificate "used at 0001-01-01".
func TestDiagnoseRekorV2ZeroTime(t *testing.T) {
	pg := attesttest.NewPublicGood(t)
	v := attest.NewVerifier(mustRoots(t, pg.TrustedRootJSON()))
	b := pg.Sign("ci@acme.example", "https://accounts.example", attesttest.Statement(t, payments, predicateCI, nil), time.Time{})
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	entry := m["verificationMaterial"].(map[string]any)["tlogEntries"].([]any)[0].(map[string]any)
	delete(entry, "integratedTime")
	delete(entry, "inclusionPromise")
	proof := entry["inclusionProof"].(map[string]any)
	proof["rootHash"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	_, err := v.Verify(asJSON(t, m), payments)
	if !errors.Is(err, attest.ErrTransparencyLog) {
		t.Fatalf("Verify = %v, want errors.Is ErrTransparencyLog", err)
	}
	t.Logf("reason: %v", err)
}
