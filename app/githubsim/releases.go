package githubsim

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Releases: enough of GitHub's release API for a client to find a tagged
// release and download its assets, as the Action's installer does:
//
//	GET /repos/{owner}/{repo}/releases/tags/{tag}       the release, with its assets
//	GET /repos/{owner}/{repo}/releases/assets/{asset_id} the asset; with
//	    Accept: application/octet-stream a 302 to where its bytes are
//	    (GitHub's docs: "The API will either redirect the client to the
//	    location, or stream it directly"), served without credentials, as
//	    GitHub's signed storage URLs are.
//
// Both routes answer anonymous callers too, as GitHub does for a public
// repository, from a bucket of 60 calls an hour.

// anonymousRateLimit is GitHub's limit for unauthenticated calls.
const anonymousRateLimit = 60

// releaseStore holds every repository's releases.
type releaseStore struct {
	byRepo map[string][]*release // repoKey -> releases, oldest first
	assets map[int64]*asset
	anon   rateBucket
}

type release struct {
	id                   int64
	tag, target, name    string
	created              time.Time
	assets               []*asset
	repoFull, authorName string
}

type asset struct {
	id        int64
	name      string
	data      []byte
	created   time.Time
	downloads int
}

// CreateRelease publishes a release of tag (which must exist, see
// [Sim.CreateTag]) with the given assets (name -> content), authored by
// author, and returns its id.
func (s *Sim) CreateRelease(owner, repoName, tag, author string, assets map[string][]byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return 0, fmt.Errorf("release %s of %s/%s: %w", tag, owner, repoName, ErrNotFound)
	}
	sha, found := r.lookupRef("refs/tags/" + tag)
	if !found {
		return 0, fmt.Errorf("release %s of %s/%s: no such tag: %w", tag, owner, repoName, ErrNotFound)
	}
	key := repoKey(owner, repoName)
	for _, rel := range s.rel.byRepo[key] {
		if rel.tag == tag {
			return 0, fmt.Errorf("release %s of %s/%s: %w", tag, owner, repoName, ErrExists)
		}
	}
	if s.rel.byRepo == nil {
		s.rel.byRepo = map[string][]*release{}
		s.rel.assets = map[int64]*asset{}
		s.rel.anon.limit = anonymousRateLimit
	}
	now := s.clock()
	rel := &release{id: s.id(), tag: tag, target: sha, name: tag, created: now, repoFull: r.fullName(), authorName: author}
	names := make([]string, 0, len(assets))
	for n := range assets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := &asset{id: s.id(), name: n, data: append([]byte(nil), assets[n]...), created: now}
		rel.assets = append(rel.assets, a)
		s.rel.assets[a.id] = a
	}
	s.rel.byRepo[key] = append(s.rel.byRepo[key], rel)
	return rel.id, nil
}

// AssetDownloads returns how often the named asset of tag's release was
// downloaded (-1: no such asset).
func (s *Sim) AssetDownloads(owner, repoName, tag, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rel := range s.rel.byRepo[repoKey(owner, repoName)] {
		for _, a := range rel.assets {
			if rel.tag == tag && a.name == name {
				return a.downloads
			}
		}
	}
	return -1
}

func (s *Sim) releaseRoutes() {
	s.handle("GET /repos/{owner}/{repo}/releases/tags/{tag}", authOptional, s.getReleaseByTag)
	s.handle("GET /repos/{owner}/{repo}/releases/assets/{asset_id}", authOptional, s.getReleaseAsset)
	s.mux.HandleFunc("GET /_storage/release-assets/{asset_id}/{name}", s.downloadAsset)
}

func (s *Sim) getReleaseByTag(q *request) response {
	r := s.repo(q.path("owner"), q.path("repo"))
	if r == nil {
		return notFound()
	}
	for _, rel := range s.rel.byRepo[repoKey(r.owner, r.name)] {
		if rel.tag == q.path("tag") {
			return ok(s.releaseJSON(rel))
		}
	}
	return notFound()
}

func (s *Sim) getReleaseAsset(q *request) response {
	r := s.repo(q.path("owner"), q.path("repo"))
	id, err := strconv.ParseInt(q.path("asset_id"), 10, 64)
	if r == nil || err != nil {
		return notFound()
	}
	rel, a := s.findAsset(r, id)
	if a == nil {
		return notFound()
	}
	if strings.Contains(q.r.Header.Get("Accept"), "application/octet-stream") {
		return response{status: http.StatusFound, header: http.Header{"Location": {s.storageURL(a)}}}
	}
	return ok(s.assetJSON(rel, a))
}

// findAsset returns the release of r holding asset id.
func (s *Sim) findAsset(r *repo, id int64) (*release, *asset) {
	for _, rel := range s.rel.byRepo[repoKey(r.owner, r.name)] {
		for _, a := range rel.assets {
			if a.id == id {
				return rel, a
			}
		}
	}
	return nil, nil
}

// downloadAsset serves an asset's bytes where the API's redirect points.
func (s *Sim) downloadAsset(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("asset_id"), 10, 64)
	s.mu.Lock()
	a := s.rel.assets[id]
	if err != nil || a == nil || a.name != r.PathValue("name") {
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	a.downloads++
	data := a.data
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Content-Disposition", "attachment; filename="+a.name)
	_, _ = w.Write(data)
}

func (s *Sim) storageURL(a *asset) string {
	return fmt.Sprintf("%s/_storage/release-assets/%d/%s", s.base, a.id, a.name)
}

func (s *Sim) releaseJSON(rel *release) map[string]any {
	u := fmt.Sprintf("%s/repos/%s/releases/%d", s.api(), rel.repoFull, rel.id)
	assets := make([]map[string]any, 0, len(rel.assets))
	for _, a := range rel.assets {
		assets = append(assets, s.assetJSON(rel, a))
	}
	ts := rel.created.Format(time.RFC3339)
	return map[string]any{
		"url": u, "assets_url": u + "/assets",
		"upload_url":       strings.Replace(s.base, "://", "://uploads.", 1) + "/api/uploads/repos/" + rel.repoFull + "/releases/" + strconv.FormatInt(rel.id, 10) + "/assets{?name,label}",
		"html_url":         s.base + "/" + rel.repoFull + "/releases/tag/" + rel.tag,
		"id":               rel.id,
		"node_id":          nodeID("RE", rel.id),
		"tag_name":         rel.tag,
		"target_commitish": rel.target,
		"name":             rel.name,
		"body":             "",
		"draft":            false,
		"prerelease":       false,
		"immutable":        false,
		"created_at":       ts,
		"published_at":     ts,
		"author":           s.user(rel.authorName),
		"tarball_url":      s.api() + "/repos/" + rel.repoFull + "/tarball/" + rel.tag,
		"zipball_url":      s.api() + "/repos/" + rel.repoFull + "/zipball/" + rel.tag,
		"assets":           assets,
	}
}

func (s *Sim) assetJSON(rel *release, a *asset) map[string]any {
	ts := a.created.Format(time.RFC3339)
	return map[string]any{
		"url":                  fmt.Sprintf("%s/repos/%s/releases/assets/%d", s.api(), rel.repoFull, a.id),
		"browser_download_url": s.base + "/" + rel.repoFull + "/releases/download/" + rel.tag + "/" + a.name,
		"id":                   a.id,
		"node_id":              nodeID("RA", a.id),
		"name":                 a.name,
		"label":                "",
		"state":                "uploaded",
		"content_type":         "application/octet-stream",
		"size":                 len(a.data),
		"download_count":       a.downloads,
		"created_at":           ts,
		"updated_at":           ts,
		"uploader":             s.user(rel.authorName),
	}
}
