package main

import (
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// TestOwnersNormalisesPaths checks that a path written the way a shell
// user writes it gets the answer of the repository path it names: a
// leading ./ used to change the answer silently (anchored rules did not
// match), and a path escaping the repository is refused.
func TestOwnersNormalisesPaths(t *testing.T) {
	co := filepath.Join("testdata", "owners", "CODEOWNERS")
	answer := func(path string) (int, string, string) {
		t.Helper()
		return runCmd(t, "", nil, "owners", "--codeowners", co, path)
	}
	_, want, _ := answer("deploy/prod/app.yaml")
	_, wantOwners, _ := strings.Cut(strings.TrimSpace(want), "\t")
	if wantOwners == "" {
		t.Fatalf("deploy/prod/app.yaml has no owners in %s; the test needs an anchored rule", co)
	}
	for _, tc := range []struct {
		path     string
		wantCode int
		wantErr  string
	}{
		{"./deploy/prod/app.yaml", exitOK, ""},
		{"././deploy/prod/app.yaml", exitOK, ""},
		{"deploy//prod/./app.yaml", exitOK, ""},
		{"deploy/staging/../prod/app.yaml", exitOK, ""},
		{"../deploy/prod/app.yaml", exitUsage, "escapes the repository"},
		{"deploy/../../x", exitUsage, "escapes the repository"},
		{"..", exitUsage, "escapes the repository"},
		{"/etc/passwd", exitUsage, "absolute"},
		{".", exitUsage, "names no file"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			code, stdout, stderr := answer(tc.path)
			if code != tc.wantCode {
				t.Fatalf("zgate owners %s = exit %d (stderr %q), want %d", tc.path, code, stderr, tc.wantCode)
			}
			if tc.wantErr != "" {
				if !strings.Contains(stderr, tc.wantErr) || !strings.Contains(stderr, tc.path) {
					t.Errorf("stderr = %q, want it to name %q and say %q", stderr, tc.path, tc.wantErr)
				}
				if stdout != "" {
					t.Errorf("stdout = %q, want nothing: no answer for a bad path", stdout)
				}
				return
			}
			if want := tc.path + "\t" + wantOwners + "\n"; stdout != want {
				t.Errorf("stdout = %q, want %q", stdout, want)
			}
		})
	}
	// From standard input too; one bad path fails the whole list before
	// anything is printed.
	code, stdout, stderr := runCmd(t, "./deploy/prod/app.yaml\n../x\n", nil, "owners", "--codeowners", co)
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "../x") {
		t.Errorf("owners from stdin with ../x = %d, %q, %q; want exit 2, nothing printed, ../x named", code, stdout, stderr)
	}
}

func TestRepoPath(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		wantErr  bool
	}{
		{"a", "a", false},
		{"services/x", "services/x", false},
		{"./services/x", "services/x", false},
		{"services/x/", "services/x/", false},
		{"./services/x/", "services/x/", false},
		{"a/./b", "a/b", false},
		{"a//b", "a/b", false},
		{"a/b/..", "a", false},
		{"a/b/.", "a/b", false},
		{"..a/b", "..a/b", false}, // a name starting with dots stays inside
		{"a/..b", "a/..b", false},
		{"../a", "", true},
		{"a/../../b", "", true},
		{"..", "", true},
		{"/a", "", true},
		{".", "", true},
		{"./", "", true},
		{"", "", true},
	} {
		got, err := repoPath(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("repoPath(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

// FuzzRepoPath checks that an accepted path never leaves the repository
// and is already clean.
func FuzzRepoPath(f *testing.F) {
	for _, s := range []string{"a", "./a", "../a", "a/../..", "a//b/", "/a", ".", "..a", "a/..b/../c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got, err := repoPath(p)
		if err != nil {
			return
		}
		trimmed := strings.TrimSuffix(got, "/")
		if trimmed == "" || trimmed == "." || trimmed == ".." || strings.HasPrefix(trimmed, "../") || strings.HasPrefix(got, "/") {
			t.Fatalf("repoPath(%q) = %q: outside the repository", p, got)
		}
		if path.Clean(trimmed) != trimmed {
			t.Fatalf("repoPath(%q) = %q: not clean", p, got)
		}
	})
}
