package attesttest_test

import (
	"fmt"
	"testing"
	"time"

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

// TestFixtureHasNoTimeBomb builds the GitHub-shaped fixture for signing
// times far from today and verifies a bundle signed then: every validity
// period derives from the time the test gives, never from the wall clock.
func TestFixtureHasNoTimeBomb(t *testing.T) {
	c := attest.Commit{Owner: "acme", Repo: "payments", SHA: "4c7f3b0e0d6f1a2b3c4d5e6f708192a3b4c5d6e7"}
	now := time.Now().UTC().Truncate(time.Second)
	for _, tc := range []struct {
		name string
		at   time.Time
	}{
		{"three years ago", now.AddDate(-3, 0, 0)},
		{"in three years", now.AddDate(3, 0, 0)},
		{"pinned in 2026", time.Date(2026, 11, 24, 11, 30, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, n := range []int{1, 2} {
				gh := attesttest.NewGitHubInstance(t, attesttest.Intermediates(n), attesttest.ValidAt(tc.at))
				b := gh.Sign(attesttest.Statement(t, c, "https://zgate.dev/ci-result/v1", nil), attesttest.At(tc.at))
				roots, err := attest.LoadTrustedRoots(gh.TrustedRootJSON())
				if err != nil {
					t.Fatalf("LoadTrustedRoots: %v", err)
				}
				res, err := attest.NewVerifier(roots).Verify(b, c)
				if err != nil {
					t.Fatalf("%d intermediates: Verify = %v, want nil", n, err)
				}
				if !res.SignedAt.Equal(tc.at) {
					t.Errorf("%d intermediates: signed at %v, want %v", n, res.SignedAt, tc.at)
				}
			}
		})
	}
}
