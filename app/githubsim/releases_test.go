package githubsim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-github/v62/github"
)

// TestReleaseAssets drives go-github's release calls, as a real client
// uses them: find the release by tag, then download an asset through the
// API's 302 to storage, with an installation token and anonymously.
func TestReleaseAssets(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	if err := e.sim.CreateTag("acme", "payments", "v1.0.0", "main"); err != nil {
		t.Fatal(err)
	}
	bin := []byte("\x7fELF a binary")
	if _, err := e.sim.CreateRelease("acme", "payments", "v1.0.0", "octocat", map[string][]byte{
		"zgate_1.0.0_linux_amd64": bin,
		"checksums.txt":           []byte("abc  zgate_1.0.0_linux_amd64\n"),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.CreateRelease("acme", "payments", "v1.0.0", "octocat", nil); !errors.Is(err, ErrExists) {
		t.Errorf("second release of a tag: %v, want ErrExists", err)
	}
	if _, err := e.sim.CreateRelease("acme", "payments", "v9.9.9", "octocat", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("release of a missing tag: %v, want ErrNotFound", err)
	}
	anon, err := github.NewClient(nil).WithEnterpriseURLs(e.srv.URL, e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for name, gh := range map[string]*github.Client{"token": e.gh, "anonymous": anon} {
		t.Run(name, func(t *testing.T) {
			rel, _, err := gh.Repositories.GetReleaseByTag(ctx, "acme", "payments", "v1.0.0")
			if err != nil {
				t.Fatal(err)
			}
			if rel.GetTagName() != "v1.0.0" || len(rel.Assets) != 2 {
				t.Fatalf("release = %s with %d assets, want v1.0.0 with 2", rel.GetTagName(), len(rel.Assets))
			}
			var a *github.ReleaseAsset
			for _, x := range rel.Assets {
				if x.GetName() == "zgate_1.0.0_linux_amd64" {
					a = x
				}
			}
			if a == nil || a.GetSize() != len(bin) || a.GetState() != "uploaded" || a.GetURL() == "" || a.GetBrowserDownloadURL() == "" {
				t.Fatalf("asset = %+v", a)
			}
			// Without a client to follow it, go-github hands back the
			// redirect: proof that the API answered 302.
			rc, redirect, err := gh.Repositories.DownloadReleaseAsset(ctx, "acme", "payments", a.GetID(), nil)
			if err != nil || rc != nil || redirect == "" {
				t.Fatalf("download without following: body %v, redirect %q, %v; want a redirect", rc != nil, redirect, err)
			}
			rc, _, err = gh.Repositories.DownloadReleaseAsset(ctx, "acme", "payments", a.GetID(), http.DefaultClient)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if string(got) != string(bin) {
				t.Errorf("downloaded %q, want %q", got, bin)
			}
			// The JSON form of the asset.
			meta, _, err := gh.Repositories.GetReleaseAsset(ctx, "acme", "payments", a.GetID())
			if err != nil || meta.GetName() != a.GetName() {
				t.Errorf("asset metadata = %v, %v", meta.GetName(), err)
			}
		})
	}
	if n := e.sim.AssetDownloads("acme", "payments", "v1.0.0", "zgate_1.0.0_linux_amd64"); n != 2 {
		t.Errorf("downloads = %d, want 2", n)
	}
	if _, resp, err := e.gh.Repositories.GetReleaseByTag(ctx, "acme", "payments", "v2.0.0"); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing release: %v, want 404", err)
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v3/repos/acme/payments/releases/tags/v1.0.0", nil)
	req.Header.Set("Authorization", "token bogus")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad token: status %d, want 401 (GitHub checks a token it is given)", resp.StatusCode)
	}
}
