package server

import (
	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
)

// Compact payload types. A webhook payload is 10-30 KB of full objects
// (repository, sender, pull request, check run with its app), of which a
// handler reads a dozen fields; decoding go-github's full event types
// allocated every other field and was most of a delivery's CPU. These
// types hold only what the handlers read, so the decoder (ghjson) skips
// the rest. It still rejects a body that is not JSON (it validates the
// whole body as it decodes) and a field read here that has the wrong
// type. Names match exactly, as GitHub sends them (see package ghjson).
// Fields added to a handler must be added here.

// payloadUser is a sender, author or account.
type payloadUser struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
	Type  string `json:"type"`
}

// gh returns u as go-github's type (nil for nil), for the shared helpers.
func (u *payloadUser) gh() *github.User {
	if u == nil {
		return nil
	}
	return &github.User{Login: github.String(u.Login), ID: github.Int64(u.ID), Type: github.String(u.Type)}
}

// payloadRepo is the repository a payload names.
type payloadRepo struct {
	ID       int64       `json:"id"`
	Name     string      `json:"name"`
	FullName string      `json:"full_name"`
	Owner    payloadUser `json:"owner"`
}

func (r *payloadRepo) gh() *github.Repository {
	if r == nil {
		return nil
	}
	return &github.Repository{ID: github.Int64(r.ID), Name: github.String(r.Name), FullName: github.String(r.FullName), Owner: r.Owner.gh()}
}

// payloadInstallation is the App installation a delivery is for.
type payloadInstallation struct {
	ID int64 `json:"id"`
}

func (i *payloadInstallation) gh() *github.Installation {
	if i == nil {
		return nil
	}
	return &github.Installation{ID: github.Int64(i.ID)}
}

// payloadPull is a pull request as events embed it.
type payloadPull struct {
	Number int `json:"number"`
	Head   struct {
		SHA string `json:"sha"`
	} `json:"head"`
}

// payloadPulls converts the pull requests of a check run or suite.
func payloadPulls(prs []payloadPull) []*github.PullRequest {
	out := make([]*github.PullRequest, 0, len(prs))
	for _, p := range prs {
		out = append(out, &github.PullRequest{Number: github.Int(p.Number)})
	}
	return out
}

// payloadEvent is what every handled event carries.
type payloadEvent struct {
	Action       string               `json:"action"`
	Sender       *payloadUser         `json:"sender"`
	Installation *payloadInstallation `json:"installation"`
	Repo         *payloadRepo         `json:"repository"`
}

// reviewPayload is a pull_request_review event.
type reviewPayload struct {
	payloadEvent
	PullRequest *eventPull `json:"pull_request"`
	// Review is the review submitted, edited or dismissed (facts.Hints).
	Review *facts.ReviewHint `json:"review"`
}

// pullRequestPayload is a pull_request event.
type pullRequestPayload struct {
	payloadEvent
	Number      int        `json:"number"`
	PullRequest *eventPull `json:"pull_request"`
	Changes     *struct {
		Base *struct{} `json:"base"`
	} `json:"changes"`
	// RequestedTeam is the team of review_requested and
	// review_request_removed.
	RequestedTeam *struct {
		Slug string `json:"slug"`
	} `json:"requested_team"`
}

// checkPayload is a check_run or check_suite event: the run or suite's
// app and pull requests.
type checkPayload struct {
	payloadEvent
	CheckRun   *payloadCheck `json:"check_run"`
	CheckSuite *payloadCheck `json:"check_suite"`
}

type payloadCheck struct {
	App *struct {
		ID int64 `json:"id"`
	} `json:"app"`
	PullRequests []payloadPull `json:"pull_requests"`
}

func (c *payloadCheck) appID() int64 {
	if c == nil || c.App == nil {
		return 0
	}
	return c.App.ID
}

func (c *payloadCheck) pulls() []payloadPull {
	if c == nil {
		return nil
	}
	return c.PullRequests
}
