package githubsim

import (
	"fmt"
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
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	} else if _, ok := s.instByOwner[strings.ToLower(login)]; ok {
		typ = "Organization"
	}
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
		Type:              typ,
	}
}

func nodeID(prefix string, id int64) string { return fmt.Sprintf("%s_kgDO%08d", prefix, id) }

// repository is GitHub's repository object (the commonly used subset).
type repository struct {
	ID            int64  `json:"id"`
	NodeID        string `json:"node_id"`
	Name          string `json:"name"`
	FullName      string `json:"full_name"`
	Owner         user   `json:"owner"`
	Private       bool   `json:"private"`
	HTMLURL       string `json:"html_url"`
	Description   any    `json:"description"`
	Fork          bool   `json:"fork"`
	URL           string `json:"url"`
	PullsURL      string `json:"pulls_url"`
	ContentsURL   string `json:"contents_url"`
	CloneURL      string `json:"clone_url"`
	DefaultBranch string `json:"default_branch"`
	Visibility    string `json:"visibility"`
	Archived      bool   `json:"archived"`
	Disabled      bool   `json:"disabled"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
	PushedAt      string `json:"pushed_at"`
}

func (s *Sim) repository(r *repo) repository {
	u := s.api() + "/repos/" + r.fullName()
	return repository{
		ID: r.id, NodeID: nodeID("R", r.id), Name: r.name, FullName: r.fullName(),
		Owner: s.user(r.owner), Private: true, HTMLURL: s.base + "/" + r.fullName(),
		URL: u, PullsURL: u + "/pulls{/number}", ContentsURL: u + "/contents/{+path}",
		CloneURL: s.base + "/" + r.fullName() + ".git", DefaultBranch: r.defaultBranch,
		Visibility: "private", CreatedAt: ts(r.created), UpdatedAt: ts(r.pushed), PushedAt: ts(r.pushed),
	}
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
}

func (s *Sim) commitObject(r *repo, c *commit) commitObject {
	u := s.api() + "/repos/" + r.fullName()
	au := s.user(c.author)
	parents := []shaURL{}
	for _, p := range c.parents {
		parents = append(parents, shaURL{SHA: p, URL: u + "/commits/" + p, HTMLURL: s.base + "/" + r.fullName() + "/commit/" + p})
	}
	return commitObject{
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
}
