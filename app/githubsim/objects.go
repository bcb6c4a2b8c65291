package githubsim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file builds the JSON shapes GitHub returns (simple-user,
// repository, git-user...) with the field names of GitHub's OpenAPI
// description. Callers hold s.mu.

// ts formats a timestamp the way GitHub does.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// tsOrNil returns nil for the zero time, so it encodes as null.
func tsOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

func (s *Sim) api() string { return s.base + "/api/v3" }

// user is GitHub's simple-user.
type user struct {
	Login             string `json:"login"`
	ID                int64  `json:"id"`
	NodeID            string `json:"node_id"`
	AvatarURL         string `json:"avatar_url"`
	GravatarID        string `json:"gravatar_id"`
	URL               string `json:"url"`
	HTMLURL           string `json:"html_url"`
	FollowersURL      string `json:"followers_url"`
	FollowingURL      string `json:"following_url"`
	GistsURL          string `json:"gists_url"`
	StarredURL        string `json:"starred_url"`
	SubscriptionsURL  string `json:"subscriptions_url"`
	OrganizationsURL  string `json:"organizations_url"`
	ReposURL          string `json:"repos_url"`
	EventsURL         string `json:"events_url"`
	ReceivedEventsURL string `json:"received_events_url"`
	Type              string `json:"type"`
	SiteAdmin         bool   `json:"site_admin"`
}

func (s *Sim) user(login string) user {
	id := s.userID(login)
	u := s.api() + "/users/" + login
	return user{
		Login: login, ID: id, NodeID: nodeID("U", id),
		AvatarURL:         fmt.Sprintf("%s/avatars/u/%d", s.base, id),
		URL:               u,
		HTMLURL:           s.base + "/" + login,
		FollowersURL:      u + "/followers",
		FollowingURL:      u + "/following{/other_user}",
		GistsURL:          u + "/gists{/gist_id}",
		StarredURL:        u + "/starred{/owner}{/repo}",
		SubscriptionsURL:  u + "/subscriptions",
		OrganizationsURL:  u + "/orgs",
		ReposURL:          u + "/repos",
		EventsURL:         u + "/events{/privacy}",
		ReceivedEventsURL: u + "/received_events",
		Type:              s.userType(login),
	}
}

// userType is a login's simple-user type: Bot, Organization (an account
// the App is installed on) or User.
func (s *Sim) userType(login string) string {
	if strings.HasSuffix(login, "[bot]") {
		return "Bot"
	}
	if _, ok := s.instByOwner[strings.ToLower(login)]; ok {
		return "Organization"
	}
	return "User"
}

// cachedJSON is an object encoded once and kept while what it was
// encoded from holds: the simulator's address, the user's id (a login
// given up by a rename is a new user) and type.
type cachedJSON struct {
	json encodedJSON
	key  userKey
}

type userKey struct {
	base, typ string
	id        int64
}

// userKey is what the encoding of login's user depends on. Like user, it
// assigns an id to a login on first sight.
func (s *Sim) userKey(login string) userKey {
	return userKey{base: s.base, typ: s.userType(login), id: s.userID(login)}
}

// userJSON is user encoded, cached: pull requests, reviews and every
// webhook's sender embed one or more.
func (s *Sim) userJSON(login string) encodedJSON {
	return s.cachedAccount(s.userCache, login, func(l string) any { return s.user(l) })
}

// cachedAccount is build(login) encoded, kept in cache until the
// account's key (userKey) changes.
func (s *Sim) cachedAccount(cache map[string]cachedJSON, login string, build func(string) any) encodedJSON {
	key := s.userKey(login)
	if c, ok := cache[login]; ok && c.key == key {
		return c.json
	}
	b := mustEncode(build(login))
	cache[login] = cachedJSON{json: b, key: key}
	return b
}

// nodeID is a GraphQL node id: prefix, "_kgDO" and id in at least eight
// digits. Built by hand, not fmt: each pull request carries a dozen.
func nodeID(prefix string, id int64) string {
	if id < 0 || id > 99999999 {
		return fmt.Sprintf("%s_kgDO%08d", prefix, id)
	}
	var digits [8]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + id%10)
		id /= 10
	}
	return prefix + "_kgDO" + string(digits[:])
}

// repository is GitHub's full-repository object: every field the OpenAPI
// description requires, with the URL templates GitHub sends.
func (s *Sim) repository(r *repo) map[string]any {
	u := s.api() + "/repos/" + r.fullName()
	html := s.base + "/" + r.fullName()
	o := map[string]any{
		"id": r.id, "node_id": nodeID("R", r.id), "name": r.name, "full_name": r.fullName(),
		"owner": s.userJSON(r.owner), "private": s.visibilityOf(r) != "public", "html_url": html, "description": nil,
		"fork": false, "url": u, "homepage": nil, "language": nil, "mirror_url": nil,
		"license": nil, "default_branch": r.defaultBranch, "visibility": s.visibilityOf(r),
		"archived": false, "disabled": false, "is_template": false, "topics": []string{},
		"has_issues": true, "has_projects": false, "has_wiki": false, "has_pages": false,
		"has_downloads": false, "has_discussions": false, "allow_forking": false,
		"web_commit_signoff_required": false, "allow_merge_commit": true,
		"allow_squash_merge": true, "allow_rebase_merge": true, "allow_auto_merge": false,
		"delete_branch_on_merge": false, "size": 1,
		"forks": 0, "forks_count": 0, "stargazers_count": 0, "watchers": 0, "watchers_count": 0,
		"open_issues": r.open, "open_issues_count": r.open,
		"custom_properties": map[string]any{},
		"created_at":        ts(r.created), "updated_at": ts(r.pushed), "pushed_at": ts(r.pushed),
		"clone_url": html + ".git", "git_url": strings.Replace(html, "http", "git", 1) + ".git",
		"ssh_url": "git@" + strings.TrimPrefix(strings.TrimPrefix(s.base, "http://"), "https://") + ":" + r.fullName() + ".git",
		"svn_url": html,
	}
	for k, v := range map[string]string{
		"archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}",
		"blobs_url": "/git/blobs{/sha}", "branches_url": "/branches{/branch}",
		"collaborators_url": "/collaborators{/collaborator}", "comments_url": "/comments{/number}",
		"commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
		"contents_url": "/contents/{+path}", "contributors_url": "/contributors",
		"deployments_url": "/deployments", "downloads_url": "/downloads", "events_url": "/events",
		"forks_url": "/forks", "git_commits_url": "/git/commits{/sha}", "git_refs_url": "/git/refs{/sha}",
		"git_tags_url": "/git/tags{/sha}", "hooks_url": "/hooks", "issue_comment_url": "/issues/comments{/number}",
		"issue_events_url": "/issues/events{/number}", "issues_url": "/issues{/number}",
		"keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}", "languages_url": "/languages",
		"merges_url": "/merges", "milestones_url": "/milestones{/number}",
		"notifications_url": "/notifications{?since,all,participating}", "pulls_url": "/pulls{/number}",
		"releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
		"subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags",
		"teams_url": "/teams", "trees_url": "/git/trees{/sha}",
	} {
		o[k] = u + v
	}
	return o
}

// repositoryJSON is the encoded repository object, cached until the
// repository or the simulator's address changes: pull requests and
// webhooks embed it once or twice each.
func (s *Sim) repositoryJSON(r *repo) encodedJSON {
	key := repoJSONKey{pushed: r.pushed.Unix(), open: r.open, owner: s.userKey(r.owner)}
	if r.jsonValid && r.jsonKey == key {
		return r.json
	}
	r.json, r.jsonKey, r.jsonValid = mustEncode(s.repository(r)), key, true
	return r.json
}

// repoJSONKey is what a repository's cached encoding depends on besides
// the repository's settings (which invalidate it when they change).
type repoJSONKey struct {
	pushed int64
	open   int
	owner  userKey // with the simulator's address
}

// repositoryLite is the short repository of workflow_run payloads: the
// URL templates and names, none of the settings and counters.
func (s *Sim) repositoryLite(r *repo) map[string]any {
	o := s.repository(r)
	for k := range o {
		if !strings.HasSuffix(k, "_url") && !slices.Contains([]string{"id", "node_id", "name", "full_name", "owner", "private", "description", "fork", "url"}, k) {
			delete(o, k)
		}
	}
	for _, k := range []string{"clone_url", "git_url", "ssh_url", "svn_url", "mirror_url"} {
		delete(o, k)
	}
	return o
}

// gitUser is the author/committer of a git commit.
type gitUser struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Date  string `json:"date"`
}

func gitUserOf(login string, t time.Time) gitUser {
	return gitUser{Name: login, Email: login + "@users.noreply.github.com", Date: ts(t)}
}

type shaURL struct {
	SHA     string `json:"sha"`
	URL     string `json:"url"`
	HTMLURL string `json:"html_url,omitempty"`
}

// commitObject is GitHub's commit (GET /repos/{o}/{r}/commits/{ref}).
type commitObject struct {
	SHA         string   `json:"sha"`
	NodeID      string   `json:"node_id"`
	URL         string   `json:"url"`
	HTMLURL     string   `json:"html_url"`
	CommentsURL string   `json:"comments_url"`
	Commit      gitInfo  `json:"commit"`
	Author      *user    `json:"author"`
	Committer   *user    `json:"committer"`
	Parents     []shaURL `json:"parents"`
}

type gitInfo struct {
	URL          string  `json:"url"`
	Author       gitUser `json:"author"`
	Committer    gitUser `json:"committer"`
	Message      string  `json:"message"`
	CommentCount int     `json:"comment_count"`
	Tree         shaURL  `json:"tree"`
	Verification struct {
		Verified   bool    `json:"verified"`
		Reason     string  `json:"reason"`
		Signature  *string `json:"signature"`
		Payload    *string `json:"payload"`
		VerifiedAt *string `json:"verified_at"`
	} `json:"verification"`
}

func (s *Sim) commitObject(r *repo, c *commit) commitObject {
	u := s.api() + "/repos/" + r.fullName()
	au := s.user(c.author)
	parents := []shaURL{}
	for _, p := range c.parents {
		parents = append(parents, shaURL{SHA: p, URL: u + "/commits/" + p, HTMLURL: s.base + "/" + r.fullName() + "/commit/" + p})
	}
	obj := commitObject{
		SHA: c.sha, NodeID: "C_" + c.sha[:12], URL: u + "/commits/" + c.sha,
		HTMLURL:     s.base + "/" + r.fullName() + "/commit/" + c.sha,
		CommentsURL: u + "/commits/" + c.sha + "/comments",
		Commit: gitInfo{
			URL: u + "/git/commits/" + c.sha, Author: gitUserOf(c.author, c.date),
			Committer: gitUserOf(c.author, c.date), Message: c.message,
			Tree: shaURL{SHA: treeSHA(c.tree), URL: u + "/git/trees/" + treeSHA(c.tree)},
		},
		Author: &au, Committer: &au, Parents: parents,
	}
	obj.Commit.Verification.Reason = "unsigned"
	return obj
}

// simpleCommit is GitHub's simple-commit (head_commit of runs and pushes).
func simpleCommit(c *commit) map[string]any {
	au := gitUserOf(c.author, c.date)
	who := map[string]string{"name": au.Name, "email": au.Email}
	return map[string]any{"id": c.sha, "tree_id": treeSHA(c.tree), "message": c.message,
		"timestamp": ts(c.date), "author": who, "committer": who}
}
