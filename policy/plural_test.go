package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

// TestMessagesCountInWords checks that messages about one control say
// "control", not "1 controls".
func TestMessagesCountInWords(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	parse := func(src string) (*policy.Policy, error) {
		return policy.Parse(".github/zgate.yml", []byte(src))
	}
	one := `version: 1
gates:
  - name: production
    controls:
      teams:
        from: ["@acme/sre"]
    quorum: %Q
`
	facts := func(reviews ...policy.Review) *policy.Facts {
		return &policy.Facts{Repository: "acme/payments",
			PullRequest: policy.PullRequest{Number: 1, Author: "alice", Base: "main", HeadSHA: "abc", ChangedFiles: []string{"a"}},
			Reviews:     reviews, Teams: map[string][]string{"acme/sre": {"bob"}}}
	}
	p, err := parse(strings.Replace(one, "%Q", "1", 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		facts *policy.Facts
		want  string
	}{
		{"pending", facts(), "0 of 1 control holds; the quorum is 1"},
		{"open", facts(policy.Review{User: "bob", State: "APPROVED", CommitID: "abc", SubmittedAt: now.Add(-time.Hour)}), "1 of 1 control holds (quorum 1): @acme/sre"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := policy.Evaluate(p, tc.facts, now).Gates[0]
			if g.Summary != tc.want {
				t.Errorf("summary = %q, want %q", g.Summary, tc.want)
			}
		})
	}

	_, err = parse(strings.Replace(one, "%Q", "2", 1))
	if err == nil || !strings.Contains(err.Error(), "more than the 1 control of this gate") {
		t.Errorf("Parse(quorum 2 of one control) = %v, want it to say \"the 1 control of this gate\"", err)
	}

	// Owners from CODEOWNERS: one owning team, quorum 2.
	p, err = parse("version: 1\ngates:\n  - name: production\n    controls:\n      teams:\n        from: codeowners\n    quorum: 2\n")
	if err != nil {
		t.Fatal(err)
	}
	f := facts()
	co := "* @acme/sre\n"
	if f.Codeowners, err = codeowners.Parse("CODEOWNERS", []byte(co)); err != nil {
		t.Fatal(err)
	}
	g := policy.Evaluate(p, f, now).Gates[0]
	if len(g.Missing) != 1 || g.Missing[0] != "1 more distinct control (the change touches too few owners)" {
		t.Errorf("missing = %q, want 1 more distinct control", g.Missing)
	}
}

// TestParseTooLargeSaysSizes checks that Parse says a too-large file's
// size and the limit in MiB, not as byte counts.
func TestParseTooLargeSaysSizes(t *testing.T) {
	_, err := policy.Parse("zgate.yml", []byte(strings.Repeat(" ", 2_200_000)))
	if err == nil || !strings.Contains(err.Error(), "policy file is 2.1 MiB, more than the 1 MiB allowed") {
		t.Errorf("Parse(2.2 MB) = %v, want \"policy file is 2.1 MiB, more than the 1 MiB allowed\"", err)
	}
}

func TestFormatSize(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1, "1 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1536, "1.5 KiB"},
		{1 << 20, "1 MiB"}, {1<<20 + 1, "1.0 MiB"}, {2_200_000, "2.1 MiB"}, {16 << 20, "16 MiB"},
		{300 << 20, "300 MiB"}, {5 << 30, "5 GiB"}, {3 << 40, "3 TiB"}, {5000 << 40, "5000 TiB"},
	} {
		if got := policy.FormatSize(tc.n); got != tc.want {
			t.Errorf("FormatSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
