package attesttest_test

import (
	"fmt"
	"testing"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
)

// fatalTB is a TB for code without a *testing.T, like the demo.
type fatalTB struct{ failed *string }

func (fatalTB) Helper() {}
func (f fatalTB) Fatalf(format string, args ...any) {
	*f.failed = fmt.Sprintf(format, args...)
	panic(*f.failed)
}

func TestNonTestingTB(t *testing.T) {
	var failed string
	gh := attesttest.NewGitHubInstance(fatalTB{&failed})
	c := attest.Commit{Owner: "acme", Repo: "payments", SHA: "4c7f3b0e0d6f1a2b3c4d5e6f708192a3b4c5d6e7"}
	b := gh.Sign(attesttest.Statement(fatalTB{&failed}, c, "https://zgate.dev/ci-result/v1", nil))
	roots, err := attest.LoadTrustedRoots(gh.TrustedRootJSON())
	if err != nil {
		t.Fatalf("LoadTrustedRoots: %v", err)
	}
	if _, err := attest.NewVerifier(roots).Verify(b, c); err != nil || failed != "" {
		t.Fatalf("Verify = %v (fixture failure %q), want nil", err, failed)
	}
}

func TestIntermediatesOutOfRange(t *testing.T) {
	var failed string
	func() {
		defer func() { _ = recover() }()
		attesttest.NewGitHubInstance(fatalTB{&failed}, attesttest.Intermediates(3))
	}()
	if failed == "" {
		t.Errorf("NewGitHubInstance(Intermediates(3)) did not fail")
	}
}
