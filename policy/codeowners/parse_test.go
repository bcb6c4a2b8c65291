package codeowners

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func parseTestdata(t testing.TB, name string) (*File, error) {
	t.Helper()
	path := filepath.Join("testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Parse(path, data)
}

func TestOwners(t *testing.T) {
	c, err := parseTestdata(t, "github_docs.CODEOWNERS")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	global := []string{"@global-owner1", "@global-owner2"}
	tests := []struct {
		name   string
		path   string
		owners []string
		line   int
	}{
		{"default owners", "README.md", global, 4},
		{"js at root", "index.js", []string{"@js-owner"}, 7},
		{"js deep", "web/src/app.js", []string{"@js-owner"}, 7},
		{"email owner", "cmd/main.go", []string{"docs@example.com"}, 10},
		{"team owner", "notes/a.txt", []string{"@octo-org/octocats"}, 13},
		{"anchored logs dir beats txt", "build/logs/x/a.txt", []string{"@octocat"}, 28},
		{"anchored dir contents", "build/logs/run.bin", []string{"@octocat"}, 28},
		{"docs direct child is root docs", "docs/index.md", []string{"@doctocat"}, 25},
		{"nested docs not direct child", "x/docs/a/b.md", global, 4},
		{"docs star is anchored", "x/docs/b.md", global, 4},
		{"docs star direct child", "docs/b.md", []string{"@doctocat"}, 25},
		{"apps anywhere", "x/apps/main.py", []string{"@octocat"}, 22},
		{"cleared subtree", "apps/github/main.py", nil, 0},
		{"owned inside cleared subtree", "apps/github/secure/key.py", []string{"@octo-org/security"}, 34},
		{"escaped name", "a/#weird name", []string{"@octocat"}, 37},
		{"duplicates dropped, trailing space ok", "scripts/x.sh", []string{"@doctocat", "@octocat"}, 40},
		{"CRLF line", "crlf/a", []string{"@crlf-owner"}, 41},
		{"case sensitive", "Scripts/x.sh", global, 4},
		{"empty path", "", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			owners, line := c.Owners(tc.path)
			if diff := cmp.Diff(tc.owners, owners); diff != "" || line != tc.line {
				t.Errorf("Owners(%q) = %q, %d, want %q, %d (-want +got):\n%s", tc.path, owners, line, tc.owners, tc.line, diff)
			}
		})
	}
}

func TestRuleClearing(t *testing.T) {
	c, err := parseTestdata(t, "github_docs.CODEOWNERS")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got, ok := c.Rule("apps/github/x")
	want := Rule{Line: 31, Pattern: "/apps/github"}
	if !ok {
		t.Fatalf("Rule(apps/github/x) found nothing, want line 31")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Rule(apps/github/x) mismatch (-want +got):\n%s", diff)
	}
}

func TestOwnersOf(t *testing.T) {
	c, err := parseTestdata(t, "github_docs.CODEOWNERS")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := c.OwnersOf([]string{"a.js", "b/c.js", "apps/github/x", "notes/a.txt", "README.md"})
	want := []string{"@global-owner1", "@global-owner2", "@js-owner", "@octo-org/octocats"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OwnersOf mismatch (-want +got):\n%s", diff)
	}
	if got := c.OwnersOf([]string{"apps/github/x"}); got != nil {
		t.Errorf("OwnersOf(cleared) = %q, want nil", got)
	}
}

func TestParseProblems(t *testing.T) {
	c, err := parseTestdata(t, "invalid.CODEOWNERS")
	if err == nil {
		t.Fatal("Parse succeeded, want problems")
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("error does not wrap ErrInvalid: %v", err)
	}
	var list ProblemList
	if !errors.As(err, &list) {
		t.Fatalf("error %T is not a ProblemList", err)
	}
	type pos struct{ Line, Column int }
	var got []pos
	for _, p := range list {
		if !strings.HasSuffix(p.File, "invalid.CODEOWNERS") || p.Msg == "" {
			t.Errorf("problem %v lacks a file or message", p)
		}
		got = append(got, pos{p.Line, p.Column})
	}
	want := []pos{
		{3, 1},  // negation
		{4, 3},  // range
		{5, 11}, // not-an-owner
		{6, 7},  // @-bad
		{7, 7},  // @org/bad/team
		{8, 8},  // someone@localhost
		{9, 4},  // lone backslash
		{11, 3}, // empty segment
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problem positions mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(c.Problems, list); diff != "" {
		t.Errorf("Problems differ from the returned error (-field +error):\n%s", diff)
	}
	var lines []int
	for _, r := range c.Rules() {
		lines = append(lines, r.Line)
	}
	if diff := cmp.Diff([]int{2, 10}, lines); diff != "" {
		t.Errorf("valid rule lines mismatch (-want +got):\n%s", diff)
	}
	if owners, line := c.Owners("src/a.go"); line != 2 {
		t.Errorf("Owners(src/a.go) = %q, %d; want the *.go rule of line 2 (the invalid /src/ line is skipped)", owners, line)
	}
}

func TestParseTooLarge(t *testing.T) {
	data := []byte("* @everyone\n" + strings.Repeat("#", maxSize))
	c, err := Parse("CODEOWNERS", data)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Parse(>3 MiB) error = %v, want ErrInvalid", err)
	}
	if owners, line := c.Owners("a"); owners != nil || line != 0 {
		t.Errorf("Owners(a) = %q, %d; want nothing owned", owners, line)
	}
}

func TestOwnerKind(t *testing.T) {
	tests := []struct {
		owner string
		want  string
	}{
		{"@octocat", OwnerUser},
		{"@octo-org/octocats", OwnerTeam},
		{"@org/team_name.v2", OwnerTeam},
		{"docs@example.com", OwnerEmail},
		{"first.last+tag@mail.example.co.uk", OwnerEmail},
		{"octocat", ""},
		{"@", ""},
		{"@-lead", ""},
		{"@org/", ""},
		{"@org/a/b", ""},
		{"@octocat_acme", OwnerUser},
		{"@_acme", ""},
		{"@" + strings.Repeat("a", 61), ""},
		{"a@b", ""},
		{"@bot[bot]", ""},
		{"me@@example.com", ""},
	}
	for _, tc := range tests {
		if got := OwnerKind(tc.owner); got != tc.want {
			t.Errorf("OwnerKind(%q) = %q, want %q", tc.owner, got, tc.want)
		}
	}
}

func TestNilFile(t *testing.T) {
	var c *File
	if owners, line := c.Owners("a"); owners != nil || line != 0 {
		t.Errorf("nil Owners(a) = %q, %d", owners, line)
	}
	if got := c.Rules(); got != nil {
		t.Errorf("nil Rules() = %v", got)
	}
}

func TestParseManyOwners(t *testing.T) {
	var line strings.Builder
	line.WriteString("/big/")
	var want []string
	for i := range 40 {
		o := fmt.Sprintf("@u%d", i%30) // the last ten repeat earlier ones
		line.WriteString(" " + o)
		if i < 30 {
			want = append(want, o)
		}
	}
	c, err := Parse("CODEOWNERS", []byte(line.String()))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got, _ := c.Owners("big/x")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Owners(big/x) mismatch (-want +got):\n%s", diff)
	}
}
