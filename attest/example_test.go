package attest_test

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/zgate-dev/zgate/attest"
)

func ExampleSubjectDigests() {
	fmt.Println(attest.SubjectDigests("acme", "payments", "4c7f3b0e0d6f1a2b3c4d5e6f708192a3b4c5d6e7"))
	// Output:
	// [sha256:7cfe1dab967ff68618c7f9353de3c9bb832cbd29c3538abbe9ea3ba4955a0bab]
}

func ExampleVerifier_Verify() {
	rootJSON, _ := os.ReadFile("testdata/github/trusted_root.json")
	bundle, _ := os.ReadFile("testdata/github/bundle.json")
	roots, err := attest.LoadTrustedRoots(rootJSON)
	if err != nil {
		fmt.Println(err)
		return
	}
	v := attest.NewVerifier(roots)
	ci := attest.SignerPolicy{
		Issuer:        "https://token.actions.githubusercontent.com",
		Identity:      `https://github\.com/acme/ci/\.github/workflows/attest\.yml@refs/heads/main`,
		PredicateType: "https://zgate.dev/ci-result/v1",
	}

	head := attest.Commit{Owner: "acme", Repo: "payments", SHA: "4c7f3b0e0d6f1a2b3c4d5e6f708192a3b4c5d6e7"}
	res, err := v.Verify(bundle, head)
	if err == nil {
		err = ci.Check(res)
	}
	fmt.Println(err, res.Identity, res.SignedAt.Format(time.RFC3339))

	moved := attest.Commit{Owner: "acme", Repo: "payments", SHA: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"}
	_, err = v.Verify(bundle, moved)
	fmt.Println(errors.Is(err, attest.ErrNotBound), err)
	// Output:
	// <nil> https://github.com/acme/ci/.github/workflows/attest.yml@refs/heads/main 2026-11-24T11:30:00Z
	// true no subject of the statement names commit 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 of acme/payments
}
