package e2e

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
	"github.com/zgate-dev/zgate/decision"
)

// TestSignedDecision: a merge through the simulator produces a signed
// decision, uploaded to the repository's attestations and recorded in the
// audit log, that `zgate attestation verify` accepts for the head and the
// merge commit and that fails after any byte of it changes.
func TestSignedDecision(t *testing.T) {
	w := newWorld(t)
	sg := newDecisionSigning(t, w, attesttest.ECDSAP256)
	ca, root, key, pubFile := sg.ca, sg.root, sg.key, sg.pubFile
	w.serveArgs = []string{"--signing-key", sg.keyFile, "--tsa", sg.tsaURL}
	w.serve()

	n, head := w.openPR("scale", nil)
	w.approve(n, "carol")
	w.approve(n, "dave")
	pr := w.waitMerged(n)
	w.waitAudit(engine.KindDecisionSigned, 1)

	// The audit record holds the bundle.
	var rec struct {
		Execution     string          `json:"execution"`
		MergeCommit   string          `json:"merge_commit"`
		Bundle        json.RawMessage `json:"bundle"`
		AttestationID int64           `json:"attestation_id"`
	}
	for _, r := range w.auditRecords() {
		if r.Kind == engine.KindDecisionSigned {
			must(t, json.Unmarshal(r.Data, &rec))
		}
	}
	if rec.Execution == "" || rec.MergeCommit != pr.MergeCommitSHA || rec.AttestationID == 0 || len(rec.Bundle) == 0 {
		t.Fatalf("decision_signed record = execution %q, merge commit %q (want %q), attestation %d, %d bundle bytes",
			rec.Execution, rec.MergeCommit, pr.MergeCommitSHA, rec.AttestationID, len(rec.Bundle))
	}

	token := installationToken(t, w)
	verify := func(args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(binary, append([]string{"attestation", "verify", "--key", pubFile, "--trusted-root", root,
			"--predicate-type", decision.PredicateType, "--repo", owner + "/" + repoName}, args...)...)
		cmd.Env = append(os.Environ(), "GITHUB_TOKEN="+token, "GITHUB_API_URL="+w.simURL+"/api/v3/")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, stdout.String(), stderr.String()
	}

	// Fetched from the simulator's attestations API, for either commit.
	for _, sha := range []string{head, pr.MergeCommitSHA} {
		code, stdout, stderr := verify("--commit", sha, "--gate", "production")
		if code != 0 || !strings.Contains(stdout, fmt.Sprintf(`verified: gate "production" of acme/payments#%d`, n)) ||
			!strings.Contains(stdout, "carol approved "+head) || !strings.Contains(stdout, "dave approved "+head) {
			t.Fatalf("verify --commit %s = %d\nstdout: %s\nstderr: %s", sha, code, stdout, stderr)
		}
	}
	code, stdout, stderr := verify("--commit", head, "--json")
	if code != 0 {
		t.Fatalf("verify --json = %d: %s", code, stderr)
	}
	p, err := decision.Decode(bytes.TrimSpace([]byte(stdout)))
	if err != nil {
		t.Fatalf("--json output is not a decision: %v\n%s", err, stdout)
	}
	want := map[string][2]any{
		"repository":        {p.Repository, owner + "/" + repoName},
		"pull_request":      {p.PullRequest, n},
		"head_sha":          {p.HeadSHA, head},
		"merge_commit_sha":  {p.MergeCommitSHA, pr.MergeCommitSHA},
		"gate":              {p.Gate, "production"},
		"action":            {p.Action, "merge"},
		"base.ref":          {p.Base.Ref, "main"},
		"policy.path":       {p.Policy.Path, ".github/zgate.yml"},
		"policy.sha256":     {p.Policy.SHA256, sha256Hex(policyFile)},
		"codeowners.sha256": {codeownersDigest(p), sha256Hex(codeowners)},
		"quorum":            {p.Quorum, 2},
		"window":            {p.Window, "24h0m0s"},
		"controls":          {len(p.Controls), 2},
	}
	for field, gw := range want {
		if gw[0] != gw[1] {
			t.Errorf("predicate %s = %v, want %v", field, gw[0], gw[1])
		}
	}
	for _, c := range p.Controls {
		if c.Kind != "team" || c.ReviewID == 0 || c.Commit != head || c.SubmittedAt == nil {
			t.Errorf("control %+v: want a team control with review id, head commit and time", c)
		}
	}
	if len(p.Base.SHA) != 40 || p.DecidedAt.IsZero() {
		t.Errorf("base sha %q, decided at %v", p.Base.SHA, p.DecidedAt)
	}

	// Refusals: another gate, another key.
	if code, _, stderr := verify("--commit", head, "--gate", "staging"); code != 1 || !strings.Contains(stderr, `not "staging"`) {
		t.Errorf("verify --gate staging = %d, %q; want 1 and the gate mismatch", code, stderr)
	}
	otherPub := filepath.Join(w.dir, "other.pub")
	must(t, os.WriteFile(otherPub, attesttest.PublicKeyPEM(t, attesttest.NewKey(t, attesttest.ECDSAP256)), 0o600))
	if code, _, _ := verify("--commit", head, "--key", otherPub); code != 1 {
		t.Errorf("verify with another key = %d, want 1", code)
	}

	// The recorded bundle verifies from a file; with any byte changed it
	// does not. Every position is checked in process with the code the
	// command runs, a spread of them through the binary.
	bundleFile := filepath.Join(w.dir, "decision.json")
	must(t, os.WriteFile(bundleFile, rec.Bundle, 0o600))
	if code, _, stderr := verify("--commit", head, "--bundle", bundleFile); code != 0 {
		t.Fatalf("verify --bundle = %d: %s", code, stderr)
	}
	roots, err := attest.LoadTrustedRoots(ca.TrustedRootJSON())
	must(t, err)
	pol := attest.SignerPolicy{Issuer: attest.KeyIssuer, Identity: ".*"}
	c := attest.Commit{Owner: owner, Repo: repoName, SHA: head}
	var survivors []string
	for i := range rec.Bundle {
		b := bytes.Clone(rec.Bundle)
		b[i] = changed(b[i])
		v := attest.NewVerifier(roots, attest.WithPublicKeys(key.Public()))
		if _, err := decision.Verify(v, b, c, pol, ""); err == nil {
			survivors = append(survivors, fmt.Sprintf("byte %d (%q -> %q) in …%s…", i, rec.Bundle[i], b[i], around(rec.Bundle, i)))
		}
	}
	if len(survivors) > 0 {
		t.Errorf("%d single-byte changes still verify:\n%s", len(survivors), strings.Join(survivors, "\n"))
	}
	for i := 0; i < len(rec.Bundle); i += len(rec.Bundle)/12 + 1 {
		b := bytes.Clone(rec.Bundle)
		b[i] = changed(b[i])
		must(t, os.WriteFile(bundleFile, b, 0o600))
		if code, _, _ := verify("--commit", head, "--bundle", bundleFile); code != 1 {
			t.Errorf("verify with byte %d changed = %d, want 1", i, code)
		}
	}
}

// TestSignedDecisionOnOpening: a gate without an action and with `sign:
// always` signs its decision when it opens, once.
func TestSignedDecisionOnOpening(t *testing.T) {
	w := newWorldWith(t, `version: 1
gates:
  - name: production
    if:
      paths: ["deploy/prod/**"]
    controls:
      teams:
        from: codeowners
    quorum: 2
    window: 24h
    sign: always
`)
	sg := newDecisionSigning(t, w, attesttest.Ed25519)
	root, pubFile := sg.root, sg.pubFile
	w.serveArgs = []string{"--signing-key", sg.keyFile, "--tsa", sg.tsaURL}
	w.serve()

	n, head := w.openPR("scale", nil)
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitAudit(engine.KindDecisionSigned, 1)
	w.approve(n, "carol") // re-evaluates the open gate: no second signature
	w.waitAudit(audit.KindDecision, 1)
	w.assertNotMerged(n)

	cmd := exec.Command(binary, "attestation", "verify", "--key", pubFile, "--trusted-root", root,
		"--predicate-type", decision.PredicateType, "--repo", owner+"/"+repoName, "--commit", head, "--gate", "production", "--json")
	cmd.Env = append(os.Environ(), "GITHUB_TOKEN="+installationToken(t, w), "GITHUB_API_URL="+w.simURL+"/api/v3/")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	p, err := decision.Decode(bytes.TrimSpace(out))
	must(t, err)
	if p.Action != "none" || p.MergeCommitSHA != "" || p.HeadSHA != head || len(p.Controls) != 2 {
		t.Errorf("decision = %+v; want action none, no merge commit, head %s, two controls", p, head)
	}
	if got := auditKinds(w.auditRecords())[engine.KindDecisionSigned]; got != 1 {
		t.Errorf("%d decision_signed records, want 1", got)
	}
}

// changed returns another byte, kept printable so the change is not just
// a JSON syntax error.
func changed(b byte) byte {
	if b == 'A' {
		return 'B'
	}
	return 'A'
}

func around(b []byte, i int) string {
	return string(b[max(0, i-20):min(len(b), i+20)])
}

func codeownersDigest(p decision.Predicate) string {
	if p.Codeowners == nil {
		return ""
	}
	return p.Codeowners.SHA256
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// installationToken mints a token of the App's installation on acme, as
// a deploy pipeline would hold one.
func installationToken(t *testing.T, w *world) string {
	t.Helper()
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(appKey)})
	itr, err := ghinstallation.New(http.DefaultTransport, appID, w.sim.InstallationID(owner), keyPEM)
	must(t, err)
	itr.BaseURL = w.simURL + "/api/v3"
	tok, err := itr.Token(context.Background())
	must(t, err)
	return tok
}

// decisionSigning is what signing gate decisions takes in a world: a CA
// whose TSA is served on loopback, its trusted root in a file, and a key
// pair in files.
type decisionSigning struct {
	ca                             *attesttest.GitHubInstance
	key                            crypto.Signer
	tsaURL, root, keyFile, pubFile string
}

func newDecisionSigning(t *testing.T, w *world, alg string) decisionSigning {
	t.Helper()
	ca := attesttest.NewGitHubInstance(t)
	tsa := httptest.NewServer(ca.TSAHandler())
	t.Cleanup(tsa.Close)
	sg := decisionSigning{ca: ca, key: attesttest.NewKey(t, alg), tsaURL: tsa.URL,
		root: filepath.Join(w.dir, "trusted_root.json"), keyFile: filepath.Join(w.dir, "decision.key"), pubFile: filepath.Join(w.dir, "decision.pub")}
	must(t, os.WriteFile(sg.root, ca.TrustedRootJSON(), 0o600))
	must(t, os.WriteFile(sg.keyFile, attesttest.PrivateKeyPEM(t, sg.key), 0o600))
	must(t, os.WriteFile(sg.pubFile, attesttest.PublicKeyPEM(t, sg.key), 0o600))
	return sg
}
