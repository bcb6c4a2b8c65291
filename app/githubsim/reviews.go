package githubsim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// review is one pull request review.
type review struct {
	id        int64
	user      string
	state     string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
	body      string
	commitID  string
	submitted time.Time
}

// reviewStates maps the REST API's review events to stored states.
var reviewStates = map[string]string{
	"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED",
	"APPROVED": "APPROVED", "CHANGES_REQUESTED": "CHANGES_REQUESTED", "COMMENTED": "COMMENTED",
}

// SubmitReview submits a review by user on the pull request's current
// head. state is APPROVE, REQUEST_CHANGES or COMMENT (the stored forms
// APPROVED... are accepted too). As on GitHub, the author may only
// comment on their own pull request, and a closed one takes no reviews.
// It emits pull_request_review submitted.
func (s *Sim) SubmitReview(owner, repoName string, number int, user, state, body string) (int64, error) {
	stored, valid := reviewStates[state]
	if !valid || user == "" {
		return 0, fmt.Errorf("review state %q by %q: %w", state, user, ErrInvalid)
	}
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		s.mu.Unlock()
		return 0, err
	}
	if strings.EqualFold(user, p.author) && stored != "COMMENTED" {
		// GitHub: "Can not approve your own pull request" (422).
		s.mu.Unlock()
		return 0, fmt.Errorf("%s reviewing their own pull request %s/%s#%d with %s: %w", user, owner, repoName, number, state, ErrInvalid)
	}
	if p.state != "open" {
		s.mu.Unlock()
		return 0, fmt.Errorf("review on closed pull request %s/%s#%d: %w", owner, repoName, number, ErrInvalid)
	}
	rv := &review{id: s.id(), user: user, state: stored, body: body, commitID: p.headSHA, submitted: s.clock()}
	p.reviews = append(p.reviews, rv)
	evs := []event{s.reviewEvent(r, p, rv, "submitted", user)}
	s.mu.Unlock()
	s.post(evs, true)
	return rv.id, nil
}

// DismissReview dismisses a review (as a maintainer would) and emits
// pull_request_review dismissed.
func (s *Sim) DismissReview(owner, repoName string, number int, reviewID int64, message string) error {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	rv := p.review(reviewID)
	if rv == nil {
		s.mu.Unlock()
		return fmt.Errorf("review %d on %s/%s#%d: %w", reviewID, owner, repoName, number, ErrNotFound)
	}
	rv.state = "DISMISSED"
	evs := []event{s.reviewEvent(r, p, rv, "dismissed", r.owner)}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

func (p *pull) review(id int64) *review {
	for _, rv := range p.reviews {
		if rv.id == id {
			return rv
		}
	}
	return nil
}

// reviewObject is GitHub's pull-request-review, members sorted by key
// (see object); state is the REST API's spelling.
func (s *Sim) reviewObject(r *repo, p *pull, rv *review, state string) object {
	num := strconv.Itoa(p.number)
	html := s.base + "/" + r.fullName() + "/pull/" + num + "#pullrequestreview-" + strconv.FormatInt(rv.id, 10)
	pu := s.api() + "/repos/" + r.fullName() + "/pulls/" + num
	return object{
		{"_links", object{{"html", object{{"href", html}}}, {"pull_request", object{{"href", pu}}}}},
		{"author_association", "MEMBER"}, {"body", rv.body}, {"commit_id", rv.commitID},
		{"html_url", html}, {"id", rv.id}, {"node_id", nodeID("PRR", rv.id)},
		{"pull_request_url", pu}, {"state", state}, {"submitted_at", ts(rv.submitted)},
		{"user", s.userJSON(rv.user)},
	}
}

// reviewEvent builds pull_request_review. Webhooks spell review states
// in lower case ("approved") where the REST API says "APPROVED", and
// carry the simple pull request (without counts and mergeability).
func (s *Sim) reviewEvent(r *repo, p *pull, rv *review, action, sender string) event {
	rvObj := s.reviewObject(r, p, rv, strings.ToLower(rv.state))
	pr := s.pullObject(r, p).without("additions", "deletions", "changed_files", "commits", "comments",
		"review_comments", "maintainer_can_modify", "mergeable", "mergeable_state", "merged",
		"merged_by", "rebaseable")
	return s.event("pull_request_review", r, sender, map[string]any{
		"action": action, "review": rvObj, "pull_request": pr,
	})
}

func (s *Sim) reviewRoutes() {
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", authToken, s.listReviews)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}", authToken, s.getReview)
	s.handle("PUT /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals", authToken, s.dismissReview)
}

func (s *Sim) listReviews(q *request) response {
	r, p, e := s.routePull(q)
	if e != nil {
		return *e
	}
	resp := response{status: http.StatusOK}
	out := pageMap(q, p.reviews, &resp, func(rv *review) object { return s.reviewObject(r, p, rv, rv.state) })
	resp.body = out
	return resp
}

func (s *Sim) routeReview(q *request) (*repo, *pull, *review, *response) {
	r, p, e := s.routePull(q)
	if e != nil {
		return nil, nil, nil, e
	}
	id, _ := strconv.ParseInt(q.path("review_id"), 10, 64)
	rv := p.review(id)
	if rv == nil {
		resp := notFound()
		return nil, nil, nil, &resp
	}
	return r, p, rv, nil
}

func (s *Sim) getReview(q *request) response {
	r, p, rv, e := s.routeReview(q)
	if e != nil {
		return *e
	}
	return ok(s.reviewObject(r, p, rv, rv.state))
}

func (s *Sim) dismissReview(q *request) response {
	r, p, rv, e := s.routeReview(q)
	if e != nil {
		return *e
	}
	var b struct {
		Message string `json:"message"`
		Event   string `json:"event"`
	}
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	if b.Message == "" {
		return invalid("PullRequestReview", "message", "missing_field", "message is required")
	}
	if rv.state != "APPROVED" && rv.state != "CHANGES_REQUESTED" {
		return unprocessable("Can not dismiss a " + rv.state + " pull request review")
	}
	rv.state = "DISMISSED"
	resp := ok(s.reviewObject(r, p, rv, rv.state))
	resp.events = []event{s.reviewEvent(r, p, rv, "dismissed", s.botLogin())}
	return resp
}
