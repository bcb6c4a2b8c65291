package attest_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
)

// snappyLiterals encodes src in the Snappy block format as literals only:
// valid input for any Snappy decoder.
func snappyLiterals(src []byte) []byte {
	out := binary.AppendUvarint(nil, uint64(len(src)))
	for len(src) > 0 {
		n := min(len(src), 1<<16)
		out = append(out, 61<<2, byte(n-1), byte((n-1)>>8))
		out = append(out, src[:n]...)
		src = src[n:]
	}
	return out
}

// fakeAttestations serves GitHub's attestations API for one digest, two
// attestations per page, under /api-v3/ like GitHub Enterprise.
type fakeAttestations struct {
	t       *testing.T
	srv     *httptest.Server
	digest  string
	entries []map[string]any
	blobs   map[string][]byte
	queries []url.Values
}

func (f *fakeAttestations) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if blob, ok := f.blobs[r.URL.Path]; ok {
		_, _ = w.Write(blob)
		return
	}
	if r.URL.Path != "/api-v3/repos/acme/payments/attestations/"+f.digest {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	f.queries = append(f.queries, q)
	start := 0
	if a := q.Get("after"); a != "" {
		fmt.Sscanf(a, "cursor%d", &start)
	}
	end := min(start+2, len(f.entries))
	if end < len(f.entries) {
		next := fmt.Sprintf("%s%s?after=cursor%d&per_page=2", f.srv.URL, r.URL.Path, end)
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"attestations": f.entries[start:end]})
}

func newGitHubClient(t *testing.T, srv *httptest.Server) *github.Client {
	t.Helper()
	gh := github.NewClient(srv.Client())
	u, err := url.Parse(srv.URL + "/api-v3/")
	if err != nil {
		t.Fatal(err)
	}
	gh.BaseURL = u
	return gh
}

func TestFetchBundles(t *testing.T) {
	inst := attesttest.NewGitHubInstance(t)
	digest := attest.SubjectDigests("acme", "payments", sha1)[0]
	var bundles [][]byte
	for i := range 5 {
		bundles = append(bundles, inst.Sign(attesttest.Statement(t, payments, predicateCI, map[string]int{"run": i})))
	}
	f := &fakeAttestations{t: t, digest: digest, blobs: map[string][]byte{
		"/blobs/3": snappyLiterals(bundles[3]),
		"/blobs/4": bundles[4],
	}}
	f.srv = httptest.NewServer(f)
	defer f.srv.Close()
	for i := range 3 {
		f.entries = append(f.entries, map[string]any{"bundle": json.RawMessage(bundles[i]), "repository_id": 1})
	}
	f.entries = append(f.entries,
		map[string]any{"bundle": nil, "bundle_url": f.srv.URL + "/blobs/3"},
		map[string]any{"bundle_url": f.srv.URL + "/blobs/4"},
	)

	got, err := attest.FetchBundles(context.Background(), newGitHubClient(t, f.srv), "acme", "payments", digest, predicateCI)
	if err != nil {
		t.Fatalf("FetchBundles: %v", err)
	}
	if len(got) != len(bundles) {
		t.Fatalf("FetchBundles returned %d bundles, want %d", len(got), len(bundles))
	}
	v := attest.NewVerifier(mustRoots(t, inst.TrustedRootJSON()))
	for i, b := range got {
		if _, err := v.Verify(b, payments); err != nil {
			t.Errorf("bundle %d: Verify = %v, want nil", i, err)
		}
	}
	var gotAfter []string
	for _, q := range f.queries {
		if q.Get("predicate_type") != predicateCI {
			t.Errorf("query %v lacks predicate_type=%s", q, predicateCI)
		}
		gotAfter = append(gotAfter, q.Get("after"))
	}
	if diff := cmp.Diff([]string{"", "cursor2", "cursor4"}, gotAfter); diff != "" {
		t.Errorf("cursors requested (-want +got):\n%s", diff)
	}
}

func TestFetchBundlesErrors(t *testing.T) {
	digest := attest.SubjectDigests("acme", "payments", sha1)[0]
	tests := []struct {
		name    string
		entries []map[string]any
		digest  string
		blobs   map[string][]byte
		want    int
		wantErr string
	}{
		{name: "none: 404", digest: "sha256:00", want: 0},
		{name: "empty page", digest: digest, entries: []map[string]any{}, want: 0},
		{name: "neither bundle nor url", digest: digest, entries: []map[string]any{{"repository_id": 1}}, wantErr: "neither bundle nor bundle_url"},
		{name: "url not found", digest: digest, entries: []map[string]any{{"bundle_url": "/missing"}}, wantErr: "HTTP 404"},
		{name: "url not a bundle", digest: digest, entries: []map[string]any{{"bundle_url": "/blobs/bad"}}, blobs: map[string][]byte{"/blobs/bad": []byte("\xff\xff\xff")}, wantErr: "neither JSON nor Snappy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeAttestations{t: t, digest: digest, entries: tc.entries, blobs: tc.blobs}
			f.srv = httptest.NewServer(f)
			defer f.srv.Close()
			for _, e := range f.entries {
				if u, ok := e["bundle_url"].(string); ok && strings.HasPrefix(u, "/") {
					e["bundle_url"] = f.srv.URL + u
				}
			}
			got, err := attest.FetchBundles(context.Background(), newGitHubClient(t, f.srv), "acme", "payments", tc.digest, "")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("FetchBundles = %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(got) != tc.want {
				t.Fatalf("FetchBundles = %d bundles, %v; want %d, nil", len(got), err, tc.want)
			}
		})
	}
}

func TestSubjectDigests(t *testing.T) {
	tests := []struct {
		owner, repo string
		want        []string
	}{
		// echo -n "git+https://github.com/acme/payments@4c7f...d6e7" | sha256sum
		{"acme", "payments", []string{"sha256:7cfe1dab967ff68618c7f9353de3c9bb832cbd29c3538abbe9ea3ba4955a0bab"}},
		{"Acme", "Payments", []string{
			"sha256:" + sha256Hex("git+https://github.com/acme/payments@"+sha1),
			"sha256:" + sha256Hex("git+https://github.com/Acme/Payments@"+sha1),
		}},
	}
	for _, tc := range tests {
		got := attest.SubjectDigests(tc.owner, tc.repo, sha1)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("SubjectDigests(%s, %s) (-want +got):\n%s", tc.owner, tc.repo, diff)
		}
	}
}

// TestFetchBundlesKeepsTokenOnAPIHost checks the token gh adds to every
// request does not reach a bundle_url on another host.
func TestFetchBundlesKeepsTokenOnAPIHost(t *testing.T) {
	inst := attesttest.NewGitHubInstance(t)
	digest := attest.SubjectDigests("acme", "payments", sha1)[0]
	bundle := inst.Sign(attesttest.Statement(t, payments, predicateCI, nil))
	var blobAuth []string
	blobs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		blobAuth = append(blobAuth, r.Header.Get("Authorization"))
		_, _ = w.Write(snappyLiterals(bundle))
	}))
	defer blobs.Close()
	f := &fakeAttestations{t: t, digest: digest, entries: []map[string]any{{"bundle_url": blobs.URL + "/blob"}}}
	var apiAuth []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiAuth = append(apiAuth, r.Header.Get("Authorization"))
		f.ServeHTTP(w, r)
	}))
	defer api.Close()
	f.srv = api
	gh := newGitHubClient(t, api).WithAuthToken("installation-token")
	got, err := attest.FetchBundles(context.Background(), gh, "acme", "payments", digest, "", attest.WithBundleClient(blobs.Client()))
	if err != nil || len(got) != 1 {
		t.Fatalf("FetchBundles = %d bundles, %v; want 1, nil", len(got), err)
	}
	if diff := cmp.Diff([]string{"Bearer installation-token"}, apiAuth); diff != "" {
		t.Errorf("API Authorization headers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{""}, blobAuth); diff != "" {
		t.Errorf("bundle_url Authorization headers (-want +got):\n%s", diff)
	}
}
