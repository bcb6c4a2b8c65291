package ghclient

import "testing"

func TestRoute(t *testing.T) {
	tests := []struct {
		name, base, path, want string
	}{
		{"pull", "/api/v3/", "/api/v3/repos/acme/payments/pulls/42", "/repos/{owner}/{repo}/pulls/{n}"},
		{"files", "/", "/repos/acme/payments/pulls/42/files", "/repos/{owner}/{repo}/pulls/{n}/files"},
		{"contents", "/api/v3", "/api/v3/repos/acme/p/contents/.github/zgate.yml", "/repos/{owner}/{repo}/contents/{path}"},
		{"team members", "/", "/orgs/acme/teams/sre/members", "/orgs/{org}/teams/{team}/members"},
		{"membership", "/", "/orgs/acme/teams/sre/memberships/bob", "/orgs/{org}/teams/{team}/memberships/{user}"},
		{"token", "/api/v3/", "/api/v3/app/installations/12/access_tokens", "/app/installations/{n}/access_tokens"},
		{"commit", "/", "/repos/a/b/commits/0123456789abcdef0123456789abcdef01234567/check-runs", "/repos/{owner}/{repo}/commits/{sha}/check-runs"},
		{"dispatch", "/", "/repos/a/b/actions/workflows/deploy.yml/dispatches", "/repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches"},
		{"short repos", "/", "/repos/a", "/repos/{owner}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Route(tt.base, tt.path); got != tt.want {
				t.Errorf("Route(%q, %q) = %q, want %q", tt.base, tt.path, got, tt.want)
			}
		})
	}
}

func FuzzRoute(f *testing.F) {
	f.Add("/api/v3", "/api/v3/repos/a/b/pulls/1")
	f.Add("/", "/repos/a/b/contents/x/y")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, base, path string) {
		if got := Route(base, path); len(got) == 0 || got[0] != '/' {
			t.Fatalf("Route(%q, %q) = %q, want a path starting with /", base, path, got)
		}
	})
}
