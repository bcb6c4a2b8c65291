package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
)

const (
	attSHA       = "4c7f3b0e0d6f1a2b3c4d5e6f708192a3b4c5d6e7"
	attPredicate = "https://zgate.dev/ci-result/v1"
	attIdentity  = `https://github\.com/acme/ci/\.github/workflows/attest\.yml@refs/heads/main`
)

func writeAttestFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAttestationVerify(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 11, 24, 11, 30, 0, 0, time.UTC)
	gh := attesttest.NewGitHubInstance(t, attesttest.Intermediates(2), attesttest.ValidAt(at))
	c := attest.Commit{Owner: "acme", Repo: "payments", SHA: attSHA}
	st := attesttest.Statement(t, c, attPredicate, map[string]string{"result": "pass"})
	good := writeAttestFile(t, dir, "good.json", gh.Sign(st, attesttest.At(at)))
	other := attest.Commit{Owner: "acme", Repo: "other", SHA: attSHA}
	mixed := writeAttestFile(t, dir, "mixed.jsonl", bytes.Join([][]byte{
		gh.Sign(attesttest.Statement(t, other, attPredicate, nil), attesttest.At(at)),
		gh.Sign(st, attesttest.At(at)),
	}, []byte("\n")))
	replayed := writeAttestFile(t, dir, "replayed.json", gh.Sign(attesttest.Statement(t, other, attPredicate, nil), attesttest.At(at)))
	root := writeAttestFile(t, dir, "root.json", gh.TrustedRootJSON())
	garbage := writeAttestFile(t, dir, "garbage.json", []byte("{nope"))

	base := func(bundle string, extra ...string) []string {
		return append([]string{"attestation", "verify", "--bundle", bundle, "--trusted-root", root,
			"--repo", "acme/payments", "--commit", attSHA,
			"--issuer", attesttest.GitHubIssuer, "--identity", attIdentity}, extra...)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string // substring
	}{
		{
			name:       "verified",
			args:       base(good),
			wantCode:   exitOK,
			wantStdout: "verified: acme/payments@" + attSHA + " " + attPredicate + " signed by https://github.com/acme/ci/.github/workflows/attest.yml@refs/heads/main (" + attesttest.GitHubIssuer + ") at 2026-11-24T11:30:00Z\n",
		},
		{
			name:       "json",
			args:       base(good, "--json", "--predicate-type", attPredicate),
			wantCode:   exitOK,
			wantStdout: `{"commit":"` + attSHA + `","predicate_type":"` + attPredicate + `","issuer":"` + attesttest.GitHubIssuer + `","identity":"https://github.com/acme/ci/.github/workflows/attest.yml@refs/heads/main","signed_at":"2026-11-24T11:30:00Z"}` + "\n",
		},
		{name: "one of several bundles matches", args: base(mixed, "--json"), wantCode: exitOK, wantStdout: "*"},
		{name: "replayed from another repository", args: base(replayed), wantCode: exitFailed, wantStderr: "acme/other, not of acme/payments"},
		{name: "wrong predicate type", args: base(good, "--predicate-type", "https://slsa.dev/provenance/v1"), wantCode: exitFailed, wantStderr: "predicate type"},
		{name: "identity mismatch", args: append(base(good)[:len(base(good))-1], `https://github\.com/evil/.*`), wantCode: exitFailed, wantStderr: "does not match"},
		{name: "garbage bundle", args: base(garbage), wantCode: exitFailed, wantStderr: "bundle"},
		{name: "missing bundle file", args: base(filepath.Join(dir, "nope.json")), wantCode: exitUsage, wantStderr: "nope.json"},
		{name: "short commit", args: []string{"attestation", "verify", "--bundle", good, "--trusted-root", root, "--repo", "acme/payments", "--commit", "abc123", "--issuer", "x", "--identity", "y"}, wantCode: exitUsage, wantStderr: "commit"},
		{name: "bad repo", args: []string{"attestation", "verify", "--bundle", good, "--trusted-root", root, "--repo", "payments", "--commit", attSHA, "--issuer", "x", "--identity", "y"}, wantCode: exitUsage, wantStderr: "OWNER/REPO"},
		{name: "no issuer", args: []string{"attestation", "verify", "--bundle", good, "--trusted-root", root, "--repo", "acme/payments", "--commit", attSHA, "--identity", "y"}, wantCode: exitUsage, wantStderr: "issuer is required"},
		{name: "bad regex", args: []string{"attestation", "verify", "--bundle", good, "--trusted-root", root, "--repo", "acme/payments", "--commit", attSHA, "--issuer", "x", "--identity", "("}, wantCode: exitUsage, wantStderr: "identity"},
		{name: "no trusted root", args: []string{"attestation", "verify", "--bundle", good, "--repo", "acme/payments", "--commit", attSHA, "--issuer", "x", "--identity", "y"}, wantCode: exitUsage, wantStderr: "--trusted-root"},
		{name: "bad trusted root", args: base(good, "--trusted-root", garbage), wantCode: exitUsage, wantStderr: "garbage.json"},
		{name: "unknown flag", args: base(good, "--nope"), wantCode: exitUsage, wantStderr: "nope"},
		{name: "unknown subcommand", args: []string{"attestation", "frobnicate"}, wantCode: exitUsage, wantStderr: "frobnicate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", nil, tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit code = %d, want %d; stderr: %s", code, tc.wantCode, stderr)
			}
			if tc.wantStdout != "*" {
				if diff := cmp.Diff(tc.wantStdout, stdout); diff != "" {
					t.Errorf("stdout (-want +got):\n%s", diff)
				}
			}
			if tc.wantStderr != "" && !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tc.wantStderr)
			}
		})
	}
}

func TestAttestationSignThenVerify(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 11, 24, 11, 30, 0, 0, time.UTC)
	gh := attesttest.NewGitHubInstance(t, attesttest.ValidAt(at))
	gh.TSAStampAt(at)
	tsa := httptest.NewServer(gh.TSAHandler())
	defer tsa.Close()
	root := writeAttestFile(t, dir, "root.json", gh.TrustedRootJSON())
	predicate := writeAttestFile(t, dir, "predicate.json", []byte(`{"result":"pass"}`))

	for _, alg := range []string{attesttest.ECDSAP256, attesttest.Ed25519, attesttest.RSA2048} {
		t.Run(alg, func(t *testing.T) {
			k := attesttest.NewKey(t, alg)
			pub := writeAttestFile(t, dir, alg+".pub", attesttest.PublicKeyPEM(t, k))
			keyPEM := attesttest.PrivateKeyPEM(t, k)
			if alg == attesttest.ECDSAP256 { // scrypt is slow: encrypt one
				keyPEM = attesttest.EncryptedKeyPEM(t, k, "s3cret")
			}
			priv := writeAttestFile(t, dir, alg+".key", keyPEM)
			out := filepath.Join(dir, alg+".bundle.json")
			getenv := func(k string) string {
				if k == "COSIGN_PASSWORD" {
					return "s3cret"
				}
				return ""
			}
			code, _, stderr := runCmd(t, "", getenv, "attestation", "sign", "--key", priv, "--repo", "acme/payments", "--commit", attSHA,
				"--predicate-type", attPredicate, "--predicate", predicate, "--out", out, "--tsa", tsa.URL)
			if code != exitOK {
				t.Fatalf("sign exit code = %d, want 0; stderr: %s", code, stderr)
			}
			code, stdout, stderr := runCmd(t, "", nil, "attestation", "verify", "--bundle", out, "--trusted-root", root, "--key", pub,
				"--repo", "acme/payments", "--commit", attSHA, "--predicate-type", attPredicate, "--json")
			if code != exitOK {
				t.Fatalf("verify exit code = %d, want 0; stderr: %s", code, stderr)
			}
			var got verifyJSON
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("verify output %q: %v", stdout, err)
			}
			fp, err := attest.KeyFingerprint(k.Public())
			if err != nil {
				t.Fatal(err)
			}
			want := verifyJSON{Commit: attSHA, PredicateType: attPredicate, Issuer: attest.KeyIssuer, Identity: fp, SignedAt: at}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("verify output (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("trusted root holding only your own timestamp authority", func(t *testing.T) {
		// As docs/attestations.md builds it: mediaType and timestampAuthorities.
		var full map[string]any
		if err := json.Unmarshal(gh.TrustedRootJSON(), &full); err != nil {
			t.Fatal(err)
		}
		tsaOnly, err := json.Marshal(map[string]any{"mediaType": full["mediaType"], "timestampAuthorities": full["timestampAuthorities"]})
		if err != nil {
			t.Fatal(err)
		}
		tsaRoot := writeAttestFile(t, dir, "tsa-root.json", tsaOnly)
		k := attesttest.NewKey(t, attesttest.ECDSAP256)
		pub := writeAttestFile(t, dir, "own.pub", attesttest.PublicKeyPEM(t, k))
		priv := writeAttestFile(t, dir, "own.key", attesttest.PrivateKeyPEM(t, k))
		out := filepath.Join(dir, "own.bundle.json")
		if code, _, stderr := runCmd(t, "", nil, "attestation", "sign", "--key", priv, "--repo", "acme/payments", "--commit", attSHA,
			"--predicate-type", attPredicate, "--predicate", predicate, "--out", out, "--tsa", tsa.URL); code != exitOK {
			t.Fatalf("sign exit code = %d, want 0; stderr: %s", code, stderr)
		}
		code, stdout, stderr := runCmd(t, "", nil, "attestation", "verify", "--bundle", out, "--trusted-root", tsaRoot, "--key", pub,
			"--repo", "acme/payments", "--commit", attSHA)
		if code != exitOK || !strings.Contains(stdout, "at 2026-11-24T11:30:00Z") {
			t.Errorf("verify = %d, %q, %q; want 0 and the timestamp's time", code, stdout, stderr)
		}
		// Without the trusted root, the signature and binding verify but no time does.
		code, _, stderr = runCmd(t, "", nil, "attestation", "verify", "--bundle", out, "--key", pub, "--repo", "acme/payments", "--commit", attSHA)
		if code != exitFailed || !strings.Contains(stderr, "no trusted timestamp authority is configured") {
			t.Errorf("verify without trusted root = %d, %q; want %d and the missing timestamp authority", code, stderr, exitFailed)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		k := attesttest.NewKey(t, attesttest.ECDSAP256)
		priv := writeAttestFile(t, dir, "wrong.key", attesttest.EncryptedKeyPEM(t, k, "s3cret"))
		code, _, stderr := runCmd(t, "", func(string) string { return "nope" }, "attestation", "sign", "--key", priv, "--repo", "acme/payments", "--commit", attSHA,
			"--predicate-type", attPredicate, "--predicate", predicate)
		if code != exitUsage || !strings.Contains(stderr, "COSIGN_PASSWORD") {
			t.Errorf("sign = %d, %q; want %d and a hint about COSIGN_PASSWORD", code, stderr, exitUsage)
		}
	})

	t.Run("without a timestamp authority the attestation does not count", func(t *testing.T) {
		k := attesttest.NewKey(t, attesttest.ECDSAP256)
		pub := writeAttestFile(t, dir, "untimed.pub", attesttest.PublicKeyPEM(t, k))
		priv := writeAttestFile(t, dir, "untimed.key", attesttest.PrivateKeyPEM(t, k))
		code, stdout, stderr := runCmd(t, "", nil, "attestation", "sign", "--key", priv, "--repo", "acme/payments", "--commit", attSHA,
			"--predicate-type", attPredicate, "--predicate", predicate)
		if code != exitOK {
			t.Fatalf("sign exit code = %d, want 0; stderr: %s", code, stderr)
		}
		if !strings.Contains(stderr, "warning: without --tsa") || !strings.Contains(stderr, "never count as a control") {
			t.Errorf("sign stderr = %q, want a warning that the bundle never counts as a control", stderr)
		}
		bundle := writeAttestFile(t, dir, "untimed.json", []byte(stdout))
		code, _, stderr = runCmd(t, "", nil, "attestation", "verify", "--bundle", bundle, "--trusted-root", root, "--key", pub,
			"--repo", "acme/payments", "--commit", attSHA)
		if code != exitFailed || !strings.Contains(stderr, "timestamp") {
			t.Errorf("verify = %d, %q; want %d and a reason about the timestamp", code, stderr, exitFailed)
		}
	})
}

func TestAttestationVerifyArtifact(t *testing.T) {
	dir := t.TempDir()
	pg := attesttest.NewPublicGood(t)
	root := writeAttestFile(t, dir, "root.json", pg.TrustedRootJSON())
	const identity, issuer = "release@acme.example", "https://accounts.example"
	artifact := []byte("release tarball")
	artFile := writeAttestFile(t, dir, "release.tar.gz", artifact)
	otherFile := writeAttestFile(t, dir, "other.tar.gz", []byte("other"))
	msg := writeAttestFile(t, dir, "msg.json", pg.SignMessage(identity, issuer, artifact, time.Time{}))
	c := attest.Commit{Owner: "acme", Repo: "payments", SHA: attSHA}
	st := attesttest.Statement(t, c, attPredicate, nil)
	stBundle := writeAttestFile(t, dir, "st.json", pg.Sign(identity, issuer, st, time.Time{}))
	artDigest := "sha256:" + sha256Hex(artifact)
	subjectDigest := "sha256:" + sha256Hex([]byte(c.SubjectName()))

	base := func(bundle string, extra ...string) []string {
		return append([]string{"attestation", "verify", "--bundle", bundle, "--trusted-root", root, "--issuer", issuer, "--identity", identity}, extra...)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // prefix
		wantStderr string
	}{
		{name: "message signature, artifact file", args: base(msg, "--artifact", artFile), wantCode: exitOK, wantStdout: "verified: " + artDigest + " message signature signed by " + identity + " (" + issuer + ") at "},
		{name: "message signature, digest", args: base(msg, "--digest", artDigest), wantCode: exitOK, wantStdout: "verified: " + artDigest + " message signature"},
		{name: "message signature, another file", args: base(msg, "--artifact", otherFile), wantCode: exitFailed, wantStderr: "signature does not verify"},
		{name: "message signature, as a commit", args: base(msg, "--repo", "acme/payments", "--commit", attSHA), wantCode: exitFailed, wantStderr: "signs a message"},
		{name: "statement, subject digest", args: base(stBundle, "--digest", subjectDigest), wantCode: exitOK, wantStdout: "verified: " + subjectDigest + " statement " + attPredicate},
		{name: "statement, json", args: base(stBundle, "--digest", subjectDigest, "--json"), wantCode: exitOK, wantStdout: `{"artifact_digest":"` + subjectDigest + `","predicate_type":"` + attPredicate + `","issuer":"` + issuer + `"`},
		{name: "statement, another artifact", args: base(stBundle, "--artifact", otherFile), wantCode: exitFailed, wantStderr: "no subject of the statement has the digest"},
		{name: "wrong identity", args: append(base(msg)[:8], "--identity", "someone@else", "--digest", artDigest), wantCode: exitFailed, wantStderr: "identity"},
		{name: "both artifact and digest", args: base(msg, "--artifact", artFile, "--digest", artDigest), wantCode: exitUsage, wantStderr: "exclude"},
		{name: "artifact and commit", args: base(msg, "--artifact", artFile, "--commit", attSHA), wantCode: exitUsage, wantStderr: "drop --repo"},
		{name: "bad digest", args: base(msg, "--digest", "md5:00"), wantCode: exitUsage, wantStderr: "--digest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", nil, tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit code = %d, want %d; stderr: %s", code, tc.wantCode, stderr)
			}
			if !strings.HasPrefix(stdout, tc.wantStdout) {
				t.Errorf("stdout = %q, want prefix %q", stdout, tc.wantStdout)
			}
			if tc.wantStderr != "" && !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tc.wantStderr)
			}
		})
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestAttestationVerifyDecisionUsage(t *testing.T) {
	dir := t.TempDir()
	pub := writeAttestFile(t, dir, "k.pub", attesttest.PublicKeyPEM(t, attesttest.NewKey(t, attesttest.ECDSAP256)))
	const pt = "https://zgate.dev/gate-decision/v1"
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{name: "gate without the decision predicate type", args: []string{"--key", pub, "--repo", "acme/payments", "--commit", attSHA, "--gate", "production", "--bundle", pub}, wantCode: exitUsage, wantStderr: "--gate needs --predicate-type"},
		{name: "decision about an artifact", args: []string{"--key", pub, "--predicate-type", pt, "--digest", "sha256:" + sha256Hex(nil)}, wantCode: exitUsage, wantStderr: "about a commit"},
		{name: "unreachable GitHub", args: []string{"--key", pub, "--predicate-type", pt, "--repo", "acme/payments", "--commit", attSHA, "--github-url", "http://127.0.0.1:1/api/v3/"}, wantCode: exitFailed, wantStderr: "fetch the decisions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", nil, append([]string{"attestation", "verify"}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("verify = %d, %q; want %d and %q", code, stderr, tc.wantCode, tc.wantStderr)
			}
		})
	}
}
