package githubsim

import (
	"fmt"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"
)

// maxStatusDescription is GitHub's limit on a commit status description.
const maxStatusDescription = 140

// Status is a commit status as tests see it.
type Status struct {
	ID          int64     `json:"id"`
	SHA         string    `json:"sha"`
	State       string    `json:"state"`
	Context     string    `json:"context"`
	Description string    `json:"description,omitempty"`
	TargetURL   string    `json:"target_url,omitempty"`
	Creator     string    `json:"creator"`
	CreatedAt   time.Time `json:"created_at"`
}

type status = Status

var statusStates = []string{"error", "failure", "pending", "success"}

// Statuses returns the commit statuses on sha, oldest first.
func (s *Sim) Statuses(owner, repoName, sha string) []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return nil
	}
	var out []Status
	for _, st := range r.statusesOn(sha) {
		out = append(out, *st)
	}
	return out
}

// SetStatus posts a commit status as user (a foreign CI, say) and emits
// the status event.
func (s *Sim) SetStatus(owner, repoName, sha, state, context, description, user string) error {
	s.mu.Lock()
	r := s.repo(owner, repoName)
	if r == nil || r.resolve(sha) == nil {
		s.mu.Unlock()
		return fmt.Errorf("status on %s/%s@%s: %w", owner, repoName, sha, ErrNotFound)
	}
	if !slices.Contains(statusStates, state) {
		s.mu.Unlock()
		return fmt.Errorf("status state %q: %w", state, ErrInvalid)
	}
	st := &status{ID: s.id(), SHA: r.resolve(sha).sha, State: state, Context: context, Description: description, Creator: user, CreatedAt: s.clock()}
	r.addStatus(st)
	evs := append([]event{s.statusEvent(r, st)}, s.advanceQueues(r)...)
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

func (s *Sim) statusRoutes() {
	s.handle("POST /repos/{owner}/{repo}/statuses/{sha}", authToken, s.createStatus)
	s.handle("GET /repos/{owner}/{repo}/commits/{ref}/status", authToken, s.combinedStatus)
	s.handle("GET /repos/{owner}/{repo}/commits/{ref}/statuses", authToken, s.listStatuses)
}

func (s *Sim) statusObject(r *repo, st *status) map[string]any {
	creator := s.user(st.Creator)
	return map[string]any{
		"url": s.api() + "/repos/" + r.fullName() + "/statuses/" + st.SHA, "avatar_url": creator.AvatarURL,
		"id": st.ID, "node_id": nodeID("SC", st.ID), "state": st.State,
		"description": nilIfEmpty(st.Description), "target_url": nilIfEmpty(st.TargetURL),
		"context": st.Context, "created_at": ts(st.CreatedAt), "updated_at": ts(st.CreatedAt),
		"creator": creator,
	}
}

func (s *Sim) statusEvent(r *repo, st *status) event {
	c := r.commits[st.SHA]
	var branches []map[string]any
	for _, b := range r.branchesOn(st.SHA) {
		branches = append(branches, map[string]any{"name": b, "protected": len(r.required[b]) > 0,
			"commit": map[string]string{"sha": st.SHA, "url": s.api() + "/repos/" + r.fullName() + "/commits/" + st.SHA}})
	}
	return s.event("status", r, st.Creator, map[string]any{
		"id": st.ID, "sha": st.SHA, "name": r.fullName(), "target_url": nilIfEmpty(st.TargetURL),
		"context": st.Context, "description": nilIfEmpty(st.Description), "state": st.State,
		"commit": s.commitObject(r, c), "branches": nonNil(branches),
		"created_at": ts(st.CreatedAt), "updated_at": ts(st.CreatedAt),
	})
}

type statusRequest struct {
	State       string  `json:"state"`
	TargetURL   *string `json:"target_url"`
	Description *string `json:"description"`
	Context     *string `json:"context"`
}

func (s *Sim) createStatus(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	var b statusRequest
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	c := r.commits[q.path("sha")]
	if c == nil {
		return unprocessable("No commit found for SHA: " + q.path("sha"))
	}
	if !slices.Contains(statusStates, b.State) {
		return invalid("Status", "state", "invalid", "state must be error, failure, pending or success")
	}
	st := &status{ID: s.id(), SHA: c.sha, State: b.State, Context: "default", Creator: s.botLogin(), CreatedAt: s.clock()}
	if b.Context != nil && *b.Context != "" {
		st.Context = *b.Context
	}
	if b.Description != nil {
		if utf8.RuneCountInString(*b.Description) > maxStatusDescription {
			return invalid("Status", "description", "custom",
				fmt.Sprintf("description is too long (maximum is %d characters)", maxStatusDescription))
		}
		st.Description = *b.Description
	}
	if b.TargetURL != nil {
		st.TargetURL = *b.TargetURL
	}
	r.addStatus(st)
	resp := created(s.statusObject(r, st))
	resp.events = append([]event{s.statusEvent(r, st)}, s.advanceQueues(r)...)
	return resp
}

// latestStatuses returns the newest status per context on sha.
func (r *repo) latestStatuses(sha string) []*status {
	seen := map[string]bool{}
	var out []*status
	sts := r.statusesOn(sha)
	for i := len(sts) - 1; i >= 0; i-- {
		st := sts[i]
		if !seen[st.Context] {
			seen[st.Context] = true
			out = append(out, st)
		}
	}
	return out
}

func (s *Sim) combinedStatus(q *request) response {
	r, c, e := s.visibleCommit(q)
	if e != nil {
		return *e
	}
	latest := r.latestStatuses(c.sha)
	state := "success"
	if len(latest) == 0 {
		state = "pending"
	}
	for _, st := range latest {
		switch st.State {
		case "error", "failure":
			state = "failure"
		case "pending":
			if state != "failure" {
				state = "pending"
			}
		}
	}
	resp := response{status: http.StatusOK}
	objs := pageMap(q, latest, &resp, func(st *status) map[string]any { return s.statusObject(r, st) })
	u := s.api() + "/repos/" + r.fullName() + "/commits/" + c.sha
	resp.body = map[string]any{"state": state, "statuses": objs, "sha": c.sha,
		"total_count": len(latest), "repository": s.repositoryJSON(r), "commit_url": u, "url": u + "/status"}
	return resp
}

func (s *Sim) listStatuses(q *request) response {
	r, c, e := s.visibleCommit(q)
	if e != nil {
		return *e
	}
	var all []map[string]any
	sts := r.statusesOn(c.sha)
	for i := len(sts) - 1; i >= 0; i-- {
		all = append(all, s.statusObject(r, sts[i]))
	}
	resp := response{status: http.StatusOK}
	resp.body = pageOf(q, all, &resp)
	return resp
}
