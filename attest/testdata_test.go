package attest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
)

var update = flag.Bool("update", false, "regenerate testdata bundles, trusted root and golden results")

// signedAt is the time the testdata bundles were timestamped. Verification
// uses the verified timestamp, never the clock, so they verify forever.
var signedAt = time.Date(2026, 11, 24, 11, 30, 0, 0, time.UTC)

// Testdata files: a GitHub-shaped trusted root and bundle, a keyed bundle
// (timestamped by the same instance's TSA), its public key, and a bare
// DSSE envelope signed with that key.
const (
	tdRoot     = "testdata/github/trusted_root.json"
	tdBundle   = "testdata/github/bundle.json"
	tdKeyed    = "testdata/keyed/bundle.json"
	tdKey      = "testdata/keyed/key.pub"
	tdEnvelope = "testdata/keyed/envelope.json"
	tdGolden   = "testdata/results.golden.json"
)

func writeTestdata(t *testing.T) {
	t.Helper()
	gh := attesttest.NewGitHubInstance(t, attesttest.Intermediates(2))
	st := attesttest.Statement(t, payments, predicateCI, map[string]string{"result": "pass"})
	key := attesttest.NewKey(t, attesttest.ECDSAP256)
	gh.TSAStampAt(signedAt)
	keyed, err := attest.SignKeyed(context.Background(), key, st, attest.SignOptions{TSAURL: "http://tsa.invalid/", HTTPClient: gh.TSAClient()})
	if err != nil {
		t.Fatalf("SignKeyed: %v", err)
	}
	files := map[string][]byte{
		tdRoot:     gh.TrustedRootJSON(),
		tdBundle:   gh.Sign(st, attesttest.At(signedAt)),
		tdKeyed:    keyed,
		tdKey:      attesttest.PublicKeyPEM(t, key),
		tdEnvelope: attesttest.Envelope(t, key, st),
	}
	for name, data := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, append(bytes.TrimSpace(data), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("reading testdata: %v", err)
	}
	return b
}

// testdataVerifier trusts the testdata root and key.
func testdataVerifier(t testing.TB, opts ...attest.Option) *attest.Verifier {
	t.Helper()
	roots, err := attest.LoadTrustedRoots(readTestdata(t, tdRoot))
	if err != nil {
		t.Fatalf("LoadTrustedRoots: %v", err)
	}
	keys, err := attest.ParsePublicKeys(readTestdata(t, tdKey))
	if err != nil {
		t.Fatalf("ParsePublicKeys: %v", err)
	}
	return attest.NewVerifier(roots, append([]attest.Option{attest.WithPublicKeys(keys...)}, opts...)...)
}

// goldenResult is a Result or a reason, as stored in the golden file.
type goldenResult struct {
	Result *attest.Result `json:",omitempty"`
	Reason string         `json:",omitempty"`
}

func TestTestdataGolden(t *testing.T) {
	if *update {
		writeTestdata(t)
	}
	v := testdataVerifier(t)
	got := map[string]goldenResult{}
	for _, name := range []string{tdBundle, tdKeyed, tdEnvelope} {
		res, err := v.Verify(readTestdata(t, name), payments)
		if err != nil {
			got[name] = goldenResult{Reason: err.Error()}
			continue
		}
		got[name] = goldenResult{Result: &res}
	}
	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	if *update {
		if err := os.WriteFile(tdGolden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(string(readTestdata(t, tdGolden)), string(out)); diff != "" {
		t.Errorf("results differ from %s (-want +got), run go test -update:\n%s", tdGolden, diff)
	}
}
