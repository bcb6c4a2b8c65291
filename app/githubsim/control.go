package githubsim

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// The control API mirrors the Go API for tools in other processes. Every
// operation is a POST of a JSON object (fields named as below) answered
// with JSON; observers are GETs with query parameters. Errors are
// {"error": "..."} with 404 (unknown repository, PR...), 409 (exists) or
// 400 (anything else). Webhooks caused by an operation are delivered
// before it answers.
//
//	POST /_sim/app            {app_id, public_key (PEM), webhook_url, webhook_secret}
//	POST /_sim/webhook-url    {url}
//	POST /_sim/repos          {owner, name, files{path: content}}        -> {installation_id}
//	POST /_sim/install        {owner}                                    -> {installation_id}
//	POST /_sim/uninstall      {owner}
//	POST /_sim/push           {owner, repo, branch, files, deleted, author} -> {sha}
//	POST /_sim/branches       {owner, repo, branch, sha, user}           (move a branch to a commit)
//	POST /_sim/pulls          {owner, repo, head, base, title, body, author, draft, labels} -> {number}
//	POST /_sim/draft          {owner, repo, number, draft}
//	POST /_sim/close          {owner, repo, number, user}
//	POST /_sim/reopen         {owner, repo, number, user}
//	POST /_sim/base           {owner, repo, number, base, user}
//	POST /_sim/merge          {owner, repo, number, user, sha, method}  -> {sha} (a person's merge)
//	POST /_sim/reviews        {owner, repo, number, user, state, body}   -> {id}
//	POST /_sim/dismissals     {owner, repo, number, review_id, message}
//	POST /_sim/comments       {owner, repo, number, user, body}          -> {id}
//	POST /_sim/comment-edits {owner, repo, comment_id, user, body}
//	POST /_sim/labels         {owner, repo, number, label, user, remove}
//	POST /_sim/team-members   {org, team, user, state, remove}
//	POST /_sim/parent-team    {org, team, parent}
//	POST /_sim/required-checks {owner, repo, branch, checks[]}
//	POST /_sim/merge-queue    {owner, repo, branch, remove}             (a ruleset requiring a merge queue)
//	POST /_sim/enqueue        {owner, repo, number, user, sha}          (a person adds to the queue)
//	POST /_sim/dequeue        {owner, repo, number}                     (a person removes from the queue)
//	GET  /_sim/merge-queue?owner=&repo=&branch=        -> [QueueEntry]
//	POST /_sim/statuses       {owner, repo, sha, state, context, description, user}
//	POST /_sim/rerequest      {owner, repo, check_run_id, user}
//	POST /_sim/complete-run   {owner, repo, run_id, conclusion}
//	POST /_sim/attestations   {owner, repo, subject_digest, bundle}
//	POST /_sim/faults         Faults (latency in nanoseconds)
//	POST /_sim/calls/reset
//	GET  /_sim/calls                                   -> {"METHOD /route": n}
//	GET  /_sim/deliveries                              -> [Delivery]
//	GET  /_sim/pull?owner=&repo=&number=               -> PRState
//	GET  /_sim/check-runs?owner=&repo=&sha=            -> [CheckRun]
//	GET  /_sim/statuses?owner=&repo=&sha=              -> [Status]
//	GET  /_sim/dispatches?owner=&repo=                 -> [Dispatch]
//	GET  /_sim/installation?owner=                     -> {installation_id}
//
// The OAuth web flow, repository visibility and collaborators have theirs
// in oauth.go.

// ctl is the union of every control request's fields.
type ctl struct {
	AppID         int64             `json:"app_id"`
	PublicKey     string            `json:"public_key"`
	WebhookURL    string            `json:"webhook_url"`
	WebhookSecret string            `json:"webhook_secret"`
	URL           string            `json:"url"`
	Owner         string            `json:"owner"`
	Name          string            `json:"name"`
	Repo          string            `json:"repo"`
	Files         map[string]string `json:"files"`
	Deleted       []string          `json:"deleted"`
	Branch        string            `json:"branch"`
	Author        string            `json:"author"`
	Head          string            `json:"head"`
	Base          string            `json:"base"`
	Title         string            `json:"title"`
	Body          string            `json:"body"`
	Draft         bool              `json:"draft"`
	Labels        []string          `json:"labels"`
	Number        int               `json:"number"`
	User          string            `json:"user"`
	State         string            `json:"state"`
	ReviewID      int64             `json:"review_id"`
	CommentID     int64             `json:"comment_id"`
	Message       string            `json:"message"`
	Label         string            `json:"label"`
	Remove        bool              `json:"remove"`
	Org           string            `json:"org"`
	Team          string            `json:"team"`
	Parent        string            `json:"parent"`
	Checks        []string          `json:"checks"`
	SHA           string            `json:"sha"`
	Context       string            `json:"context"`
	Description   string            `json:"description"`
	CheckRunID    int64             `json:"check_run_id"`
	RunID         int64             `json:"run_id"`
	Conclusion    string            `json:"conclusion"`
	Method        string            `json:"method"`
	SubjectDigest string            `json:"subject_digest"`
	Bundle        json.RawMessage   `json:"bundle"`
}

func (s *Sim) controlRoutes() {
	post := func(path string, op func(c ctl) (any, error)) {
		s.mux.HandleFunc("POST /_sim/"+path, func(w http.ResponseWriter, r *http.Request) {
			var c ctl
			if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&c); err != nil && !errors.Is(err, io.EOF) {
				ctlReply(w, nil, fmt.Errorf("decode %s: %w: %w", path, ErrInvalid, err))
				return
			}
			out, err := op(c)
			ctlReply(w, out, err)
		})
	}
	get := func(path string, op func(q map[string]string) (any, error)) {
		s.mux.HandleFunc("GET /_sim/"+path, func(w http.ResponseWriter, r *http.Request) {
			q := map[string]string{}
			for k, v := range r.URL.Query() {
				q[k] = v[0]
			}
			out, err := op(q)
			ctlReply(w, out, err)
		})
	}
	post("app", func(c ctl) (any, error) {
		key, err := parsePublicKey(c.PublicKey)
		if err != nil {
			return nil, err
		}
		s.RegisterApp(c.AppID, key, c.WebhookURL, c.WebhookSecret)
		return nil, nil
	})
	post("webhook-url", func(c ctl) (any, error) { s.SetWebhookURL(c.URL); return nil, nil })
	post("repos", func(c ctl) (any, error) {
		if err := s.CreateRepo(c.Owner, c.Name, c.Files); err != nil {
			return nil, err
		}
		return map[string]int64{"installation_id": s.InstallationID(c.Owner)}, nil
	})
	post("install", func(c ctl) (any, error) {
		if c.Owner == "" {
			return nil, fmt.Errorf("install: owner: %w", ErrInvalid)
		}
		return map[string]int64{"installation_id": s.Install(c.Owner)}, nil
	})
	post("uninstall", func(c ctl) (any, error) { return nil, s.Uninstall(c.Owner) })
	post("push", func(c ctl) (any, error) {
		sha, err := s.Push(c.Owner, c.Repo, c.Branch, c.Files, c.Deleted, c.Author)
		return map[string]string{"sha": sha}, err
	})
	post("pulls", func(c ctl) (any, error) {
		n, err := s.OpenPR(c.Owner, c.Repo, PROptions{Head: c.Head, Base: c.Base, Title: c.Title,
			Body: c.Body, Author: c.Author, Draft: c.Draft, Labels: c.Labels})
		return map[string]int{"number": n}, err
	})
	post("draft", func(c ctl) (any, error) { return nil, s.SetDraft(c.Owner, c.Repo, c.Number, c.Draft) })
	post("close", func(c ctl) (any, error) { return nil, s.ClosePR(c.Owner, c.Repo, c.Number, c.User) })
	post("reopen", func(c ctl) (any, error) { return nil, s.ReopenPR(c.Owner, c.Repo, c.Number, c.User) })
	post("base", func(c ctl) (any, error) { return nil, s.ChangeBase(c.Owner, c.Repo, c.Number, c.Base, c.User) })
	post("merge", func(c ctl) (any, error) {
		sha, err := s.MergePR(c.Owner, c.Repo, c.Number, c.User, c.SHA, c.Method)
		return map[string]string{"sha": sha}, err
	})
	post("reviews", func(c ctl) (any, error) {
		id, err := s.SubmitReview(c.Owner, c.Repo, c.Number, c.User, c.State, c.Body)
		return map[string]int64{"id": id}, err
	})
	post("dismissals", func(c ctl) (any, error) {
		return nil, s.DismissReview(c.Owner, c.Repo, c.Number, c.ReviewID, c.Message)
	})
	post("comments", func(c ctl) (any, error) {
		id, err := s.Comment(c.Owner, c.Repo, c.Number, c.User, c.Body)
		return map[string]int64{"id": id}, err
	})
	post("branches", func(c ctl) (any, error) {
		return nil, s.MoveBranch(c.Owner, c.Repo, c.Branch, c.SHA, c.User)
	})
	post("comment-edits", func(c ctl) (any, error) {
		return nil, s.EditComment(c.Owner, c.Repo, c.CommentID, c.User, c.Body)
	})
	post("labels", func(c ctl) (any, error) {
		if c.Remove {
			return nil, s.RemoveLabel(c.Owner, c.Repo, c.Number, c.Label, c.User)
		}
		return nil, s.AddLabel(c.Owner, c.Repo, c.Number, c.Label, c.User)
	})
	post("team-members", func(c ctl) (any, error) {
		if c.Remove {
			return nil, s.RemoveTeamMember(c.Org, c.Team, c.User)
		}
		return nil, s.AddTeamMember(c.Org, c.Team, c.User, c.State)
	})
	post("parent-team", func(c ctl) (any, error) { return nil, s.SetParentTeam(c.Org, c.Team, c.Parent) })
	post("required-checks", func(c ctl) (any, error) {
		return nil, s.SetRequiredChecks(c.Owner, c.Repo, c.Branch, c.Checks)
	})
	post("merge-queue", func(c ctl) (any, error) { return nil, s.RequireMergeQueue(c.Owner, c.Repo, c.Branch, !c.Remove) })
	post("enqueue", func(c ctl) (any, error) { return nil, s.EnqueuePR(c.Owner, c.Repo, c.Number, c.User, c.SHA) })
	post("dequeue", func(c ctl) (any, error) { return nil, s.DequeuePR(c.Owner, c.Repo, c.Number) })
	get("merge-queue", func(q map[string]string) (any, error) { return s.MergeQueue(q["owner"], q["repo"], q["branch"]), nil })
	post("statuses", func(c ctl) (any, error) {
		return nil, s.SetStatus(c.Owner, c.Repo, c.SHA, c.State, c.Context, c.Description, c.User)
	})
	post("rerequest", func(c ctl) (any, error) {
		return nil, s.RerequestCheckRun(c.Owner, c.Repo, c.CheckRunID, c.User)
	})
	post("complete-run", func(c ctl) (any, error) {
		return nil, s.CompleteRun(c.Owner, c.Repo, c.RunID, c.Conclusion)
	})
	post("attestations", func(c ctl) (any, error) {
		return nil, s.AddAttestation(c.Owner, c.Repo, c.SubjectDigest, c.Bundle)
	})
	s.mux.HandleFunc("POST /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&f); err != nil && !errors.Is(err, io.EOF) {
			ctlReply(w, nil, fmt.Errorf("decode faults: %w: %w", ErrInvalid, err))
			return
		}
		s.SetFaults(f)
		ctlReply(w, nil, nil)
	})
	post("calls/reset", func(ctl) (any, error) { s.ResetCalls(); return nil, nil })
	get("calls", func(map[string]string) (any, error) { return s.Calls(), nil })
	get("deliveries", func(map[string]string) (any, error) { return nonNil(s.Deliveries()), nil })
	get("pull", func(q map[string]string) (any, error) {
		n, err := strconv.Atoi(q["number"])
		if err != nil {
			return nil, fmt.Errorf("number %q: %w", q["number"], ErrInvalid)
		}
		return s.PullRequest(q["owner"], q["repo"], n)
	})
	get("check-runs", func(q map[string]string) (any, error) {
		return nonNil(s.CheckRuns(q["owner"], q["repo"], q["sha"])), nil
	})
	get("statuses", func(q map[string]string) (any, error) {
		return nonNil(s.Statuses(q["owner"], q["repo"], q["sha"])), nil
	})
	get("dispatches", func(q map[string]string) (any, error) {
		return nonNil(s.Dispatches(q["owner"], q["repo"])), nil
	})
	get("installation", func(q map[string]string) (any, error) {
		id := s.InstallationID(q["owner"])
		if id == 0 {
			return nil, fmt.Errorf("installation on %q: %w", q["owner"], ErrNotFound)
		}
		return map[string]int64{"installation_id": id}, nil
	})
}

// ctlReply writes a control API answer.
func ctlReply(w http.ResponseWriter, out any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		code := http.StatusBadRequest
		switch {
		case errors.Is(err, ErrNotFound):
			code = http.StatusNotFound
		case errors.Is(err, ErrExists):
			code = http.StatusConflict
		}
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	if out == nil {
		out = map[string]any{}
	}
	json.NewEncoder(w).Encode(out)
}

// parsePublicKey reads an RSA public key from PEM: PKIX, PKCS#1, or the
// public half of a PKCS#1 or PKCS#8 private key.
func parsePublicKey(p string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return nil, fmt.Errorf("public_key: no PEM block: %w", ErrInvalid)
	}
	if k, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
		if rk, ok := k.(*rsa.PublicKey); ok {
			return rk, nil
		}
	}
	if k, err := x509.ParsePKCS1PublicKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return &k.PublicKey, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return &rk.PublicKey, nil
		}
	}
	return nil, fmt.Errorf("public_key: not an RSA key: %w", ErrInvalid)
}
