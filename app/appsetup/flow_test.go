package appsetup_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/appsetup"
	"github.com/zgate-dev/zgate/app/appsetup/appsetuptest"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// TestRunAgainstSimulator runs the manifest flow end to end against the
// simulator: the page posts the manifest, GitHub redirects back with the
// code, and the exchange yields the App, which the simulator then knows.
func TestRunAgainstSimulator(t *testing.T) {
	sim := githubsim.New(githubsim.Options{})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	page := make(chan string, 1)
	type result struct {
		c   appsetup.Credentials
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := appsetup.Run(ctx, appsetup.Options{Org: "acme", Name: "zgate acme", PublicURL: "https://zgate.acme.example/",
			WebURL: srv.URL, APIURL: srv.URL + "/api/v3/", Listener: ln, Ready: func(u string) { page <- u }})
		done <- result{c, err}
	}()
	pageURL := <-page

	// A redirect with another state is refused and does not end the flow.
	resp, err := http.Get(pageURL + "callback?code=stolen&state=other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback with a foreign state = %d, want 400", resp.StatusCode)
	}

	code, body, err := appsetuptest.Submit(ctx, http.DefaultClient, pageURL)
	if err != nil || code != http.StatusOK || !strings.Contains(body, "is registered") {
		t.Fatalf("submit the page = %d, %v\n%s", code, err, body)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("Run() = %v", r.err)
	}
	if r.c.ID == 0 || r.c.Slug != "zgate-acme" || !strings.Contains(r.c.PEM, "PRIVATE KEY") || r.c.WebhookSecret == "" || r.c.ClientID == "" || r.c.ClientSecret == "" {
		t.Errorf("credentials = %+v, want id, slug zgate-acme, pem, webhook and client secrets", r.c)
	}

	m := sim.LastManifest()
	if m == nil {
		t.Fatal("the simulator received no manifest")
	}
	if m.Owner != "acme" || m.HookAttributes.URL != "https://zgate.acme.example/webhook" ||
		!slices.Equal(m.CallbackURLs, []string{"https://zgate.acme.example/auth/callback"}) || m.Public {
		t.Errorf("manifest = %+v, want acme's private App, webhook and OAuth callback under the public URL", m)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(m.Raw, &fields); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"callback_urls", "default_events", "default_permissions", "hook_attributes", "name", "public", "redirect_url", "url"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("manifest fields mismatch (-want +got): nothing more than needed\n%s", diff)
	}
}

// TestManifestMatchesDocs holds the manifest's permissions and events to
// the lists in docs/config.md ("The GitHub App").
func TestManifestMatchesDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(doc)
	section = section[strings.Index(section, "## The GitHub App"):]
	section = section[:strings.Index(section, "Branch protection:")]
	perms := section[strings.Index(section, "Permissions:"):strings.Index(section, "Webhook events:")]
	events := section[strings.Index(section, "Webhook events:"):strings.Index(section, "The webhook URL")]

	// Each documented permission, "Name (read and write)", as GitHub's
	// manifest names it.
	permName := map[string]string{"Checks": "checks", "Commit statuses": "statuses", "Contents": "contents",
		"Pull requests": "pull_requests", "Actions": "actions", "Metadata": "metadata", "Members": "members", "Attestations": "attestations", "Deployments": "deployments", "Merge queues": "merge_queues"}
	gotPerms := map[string]string{}
	for _, m := range regexp.MustCompile(`([A-Z][a-z]+(?: [a-z]+)?) \((?:organization, )?(read and write|write|read)`).FindAllStringSubmatch(perms, -1) {
		name, ok := permName[m[1]]
		if !ok {
			t.Fatalf("docs/config.md lists permission %q that the test does not know", m[1])
		}
		access := "read"
		if strings.Contains(m[2], "write") {
			access = "write"
		}
		gotPerms[name] = access
	}
	if diff := cmp.Diff(gotPerms, appsetup.Permissions()); diff != "" {
		t.Errorf("manifest permissions differ from docs/config.md (-docs +manifest):\n%s", diff)
	}

	var docEvents []string
	list := strings.NewReplacer("Webhook events:", "", "\n", " ", ".", "", " and ", ", ").Replace(events)
	for e := range strings.SplitSeq(list, ",") {
		if e = strings.TrimSpace(e); e != "" {
			docEvents = append(docEvents, strings.ReplaceAll(strings.ToLower(e), " ", "_"))
		}
	}
	// GitHub sends these to every App; a manifest cannot subscribe to them.
	docEvents = slices.DeleteFunc(docEvents, func(e string) bool { return e == "installation" || e == "installation_repositories" })
	slices.Sort(docEvents)
	got := appsetup.Events()
	slices.Sort(got)
	if diff := cmp.Diff(docEvents, got); diff != "" {
		t.Errorf("manifest events differ from docs/config.md (-docs +manifest):\n%s", diff)
	}
}
