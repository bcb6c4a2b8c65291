package attest_test

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
)

func TestVerifyKeyed(t *testing.T) {
	at := time.Date(2026, 11, 24, 11, 30, 0, 0, time.UTC)
	gh := attesttest.NewGitHubInstance(t, attesttest.ValidAt(at))
	gh.TSAStampAt(at)
	tsa := httptest.NewServer(gh.TSAHandler())
	defer tsa.Close()
	roots := mustRoots(t, gh.TrustedRootJSON())

	ecKey := attesttest.NewKey(t, attesttest.ECDSAP256)
	edKey := attesttest.NewKey(t, attesttest.Ed25519)
	otherKey := attesttest.NewKey(t, attesttest.ECDSAP256)
	st := attesttest.Statement(t, payments, predicateCI, nil)
	signed := func(k crypto.Signer, tsaURL string) []byte {
		t.Helper()
		b, err := attest.SignKeyed(context.Background(), k, st, attest.SignOptions{TSAURL: tsaURL, HTTPClient: tsa.Client()})
		if err != nil {
			t.Fatalf("SignKeyed: %v", err)
		}
		return b
	}
	fingerprint := func(k crypto.Signer) string {
		fp, err := attest.KeyFingerprint(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		return fp
	}
	trusting := attest.NewVerifier(roots, attest.WithPublicKeys(ecKey.Public(), edKey.Public()))
	keysOnly := attest.NewVerifier(nil, attest.WithPublicKeys(ecKey.Public()))

	// A bundle claiming the trusted key's hint but signed by another key.
	forged := []byte(replaceHint(t, signed(otherKey, tsa.URL), ecKey))

	tests := []struct {
		name         string
		v            *attest.Verifier
		bundle       []byte
		subject      attest.Commit
		want         error
		wantIdentity string
	}{
		{name: "ECDSA bundle with timestamp", v: trusting, bundle: signed(ecKey, tsa.URL), subject: payments, wantIdentity: fingerprint(ecKey)},
		{name: "Ed25519 bundle with timestamp", v: trusting, bundle: signed(edKey, tsa.URL), subject: payments, wantIdentity: fingerprint(edKey)},
		{name: "wrong key", v: trusting, bundle: signed(otherKey, tsa.URL), subject: payments, want: attest.ErrUnknownKey},
		{name: "forged hint", v: trusting, bundle: forged, subject: payments, want: attest.ErrBadSignature},
		{name: "no timestamp", v: trusting, bundle: signed(ecKey, ""), subject: payments, want: attest.ErrNoVerifiedTime},
		{name: "no timestamp authority trusted", v: keysOnly, bundle: signed(ecKey, tsa.URL), subject: payments, want: attest.ErrNoVerifiedTime},
		{name: "another commit", v: trusting, bundle: signed(ecKey, tsa.URL), subject: attest.Commit{Owner: "acme", Repo: "payments", SHA: sha2}, want: attest.ErrNotBound},
		{name: "bare DSSE envelope verifies but has no time", v: trusting, bundle: attesttest.Envelope(t, ecKey, st), subject: payments, want: attest.ErrNoVerifiedTime},
		{name: "bare DSSE envelope, wrong key", v: trusting, bundle: attesttest.Envelope(t, otherKey, st), subject: payments, want: attest.ErrBadSignature},
		{name: "bare DSSE envelope, another commit", v: trusting, bundle: attesttest.Envelope(t, ecKey, st), subject: attest.Commit{Owner: "acme", Repo: "payments", SHA: sha2}, want: attest.ErrNotBound},
		{name: "bare DSSE envelope, no keys", v: attest.NewVerifier(roots), bundle: attesttest.Envelope(t, ecKey, st), subject: payments, want: attest.ErrUnknownKey},
		{name: "keyed bundle, no keys", v: attest.NewVerifier(roots), bundle: signed(ecKey, tsa.URL), subject: payments, want: attest.ErrUnknownKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.v.Verify(tc.bundle, tc.subject)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("Verify = %v, want errors.Is %v", err, tc.want)
				}
				t.Logf("reason: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("Verify = %v, want nil", err)
			}
			if res.Issuer != attest.KeyIssuer || res.Identity != tc.wantIdentity || !res.SignedAt.Equal(at) {
				t.Errorf("Verify = issuer %q identity %q signed at %v; want %q, %q, %v", res.Issuer, res.Identity, res.SignedAt, attest.KeyIssuer, tc.wantIdentity, at)
			}
			pol := attest.SignerPolicy{Issuer: attest.KeyIssuer, Identity: tc.wantIdentity, PredicateType: predicateCI}
			if err := pol.Check(res); err != nil {
				t.Errorf("Check = %v, want nil", err)
			}
		})
	}
}

func TestParsePublicKeys(t *testing.T) {
	ec := attesttest.PublicKeyPEM(t, attesttest.NewKey(t, attesttest.ECDSAP256))
	ed := attesttest.PublicKeyPEM(t, attesttest.NewKey(t, attesttest.Ed25519))
	tests := []struct {
		name    string
		data    []byte
		want    int
		wantErr bool
	}{
		{name: "one", data: ec, want: 1},
		{name: "two", data: append(append([]byte{}, ec...), ed...), want: 2},
		{name: "none", data: []byte("hello"), wantErr: true},
		{name: "private key", data: attesttest.PrivateKeyPEM(t, attesttest.NewKey(t, attesttest.ECDSAP256)), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := attest.ParsePublicKeys(tc.data)
			if (err != nil) != tc.wantErr || len(got) != tc.want {
				t.Fatalf("ParsePublicKeys = %d keys, %v; want %d keys, error %v", len(got), err, tc.want, tc.wantErr)
			}
		})
	}
}

// replaceHint makes a keyed bundle claim key k's hint.
func replaceHint(t *testing.T, bundle []byte, k crypto.Signer) string {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	hint, err := attest.KeyHint(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	b["verificationMaterial"].(map[string]any)["publicKey"] = map[string]any{"hint": hint}
	return string(asJSON(t, b))
}
