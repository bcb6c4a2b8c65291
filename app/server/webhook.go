package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/zgate-dev/zgate/app/ghjson"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/tracing"
)

// Webhook results, the "result" label of the webhooks metric.
const (
	resultAccepted     = "accepted"
	resultIgnored      = "ignored"
	resultDuplicate    = "duplicate"
	resultUnauthorized = "unauthorized"
	resultBadRequest   = "bad_request"
	resultTooLarge     = "too_large"
	resultError        = "error"
)

// outcome is what a handler decided about one event.
type outcome struct {
	// keys are the pull requests (or repositories, engine.RepoKey) to
	// re-evaluate.
	keys []store.PRKey
	// ignored says why the event changes nothing; empty when keys matter.
	ignored string
	// pushes are who pushed which head, recorded in the transaction that
	// queues the keys, also when the event is otherwise ignored.
	pushes []store.Push
	// statuses are the commits a status claiming a zgate check was set
	// on, noted (Config.StatusNotes) before anything is queued.
	statuses []statusNote
	// forget are commits whose stored state is dropped (a destroyed
	// merge group's head).
	forget []statusNote
	// commands and removedReviews are recorded with the keys (see
	// store.Intake).
	commands       []store.Command
	removedReviews []store.RemovedReview
	// deployments wait on zgate's protection rule, kept with the keys.
	deployments []store.Deployment
}

// statusNote names one commit of one repository.
type statusNote struct{ owner, repo, sha string }

// eventHandler decodes one event's payload and decides what to re-evaluate.
// An error means the payload is malformed; one wrapping errCannotAct that
// it parses but zgate cannot act on it (answered 200). body is valid only
// during the call: its buffer is reused for the next delivery.
type eventHandler func(s *Server, log *slog.Logger, body []byte) (outcome, error)

// handlerFor returns the handler for a webhook event, nil for events zgate
// does not subscribe to.
func handlerFor(event string) eventHandler {
	switch event {
	case "pull_request":
		return handlePullRequest
	case "pull_request_review":
		return handlePullRequestReview
	case "issue_comment":
		return handleIssueComment
	case "check_run":
		return handleCheckRun
	case "check_suite":
		return handleCheckSuite
	case "workflow_run":
		return handleWorkflowRun
	case "push":
		return handlePush
	case "membership", "team":
		return handleMembership
	case "organization":
		return handleOrganization
	case "installation", "installation_repositories":
		return handleInstallation
	case "status":
		return handleStatus
	case "deployment_protection_rule":
		return handleDeploymentProtectionRule
	case "merge_group":
		return handleMergeGroup
	case "ping":
		return handlePing
	}
	return nil
}

func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.cfg.Now()
	event := r.Header.Get("X-GitHub-Event")
	delivery := r.Header.Get("X-GitHub-Delivery")
	log := tracing.Logger(ctx, s.log.With("delivery", clip(delivery), "event", clip(event)))
	rej := Rejection{Delivery: delivery, Event: event, Remote: r.RemoteAddr}

	raw, done, ok := s.readBody(w, r, log, rej)
	if !ok {
		return
	}
	defer done()
	// Authenticated from here: GitHub sent it, so every rejection is
	// recorded (clipped).
	rej = clipRejection(rej)
	if event == "" || delivery == "" {
		rej.Status, rej.Reason = http.StatusBadRequest, "missing X-GitHub-Event or X-GitHub-Delivery"
		s.reject(w, r, log, rej, resultBadRequest)
		return
	}
	body, err := payload(r.Header.Get("Content-Type"), raw)
	if err != nil {
		rej.Status, rej.Reason = http.StatusBadRequest, err.Error()
		s.reject(w, r, log, rej, resultBadRequest)
		return
	}
	// Every handler decodes with ghjson.Unmarshal, which validates the
	// whole body as it decodes: a separate validity scan would read each
	// 10-30 KB payload once more. Events without a handler still answer
	// 400 to what is not JSON.
	h := handlerFor(event)
	if h == nil {
		if !ghjson.Valid(body) {
			s.rejectNotJSON(w, r, log, rej)
			return
		}
		s.count(event, resultIgnored)
		respond(w, http.StatusOK, "ignored: event "+event+" not handled")
		return
	}
	out, err := h(s, log, body)
	if errors.Is(err, errCannotAct) {
		// Well-formed but not for an App (a repository webhook has no
		// installation): a 4xx would show as a failed delivery.
		log.Info("webhook ignored", "reason", err.Error())
		s.count(event, resultIgnored)
		respond(w, http.StatusOK, "ignored: "+err.Error())
		return
	}
	if err != nil && !ghjson.Valid(body) {
		s.rejectNotJSON(w, r, log, rej)
		return
	}
	if err != nil {
		rej.Status, rej.Reason = http.StatusBadRequest, clipN(fmt.Sprintf("malformed %s payload: %v", event, err), 4*maxRecorded)
		s.reject(w, r, log, rej, resultBadRequest)
		return
	}
	in := store.Intake{Delivery: delivery, Event: event, Received: now, Pushes: out.pushes, Jobs: out.keys, Commands: out.commands, RemovedReviews: out.removedReviews, Deployments: out.deployments}
	ignored := out.ignored != "" || len(out.keys) == 0
	if ignored {
		// Nothing to queue and no delivery to remember, but the pushers
		// still count.
		in.Delivery, in.Jobs = "", nil
	}
	if err := s.noteStatuses(ctx, out.statuses); err != nil {
		// Unnoted, the engine would not re-read the commit's statuses and
		// the claim could stand: fail, so the delivery is redelivered.
		log.Error("cannot note the commit status", "err", err)
		s.count(event, resultError)
		respond(w, http.StatusServiceUnavailable, "cannot note the commit status")
		return
	}
	if err := s.forgetCommits(ctx, out.forget); err != nil {
		log.Warn("cannot forget a destroyed merge group's state; the prune will", "err", err)
	}
	if !ignored || len(in.Pushes) > 0 {
		isNew, err := s.cfg.Intake.Intake(ctx, in)
		if err != nil {
			// Unrecorded, the pusher could approve their own push, and the
			// pull request would wait for the sweep: fail, so the delivery
			// shows as failed and is redelivered. Nothing was stored.
			log.Error("cannot record the delivery", "err", err)
			s.count(event, resultError)
			respond(w, http.StatusServiceUnavailable, "cannot record the delivery")
			return
		}
		if !ignored && !isNew {
			s.count(event, resultDuplicate)
			respond(w, http.StatusOK, "duplicate delivery")
			return
		}
	}
	if ignored {
		log.Debug("webhook ignored", "reason", out.ignored)
		s.count(event, resultIgnored)
		respond(w, http.StatusOK, "ignored: "+out.ignored)
		return
	}
	for _, k := range out.keys {
		log.Info("re-evaluation queued", "repo", k.Owner+"/"+k.Repo, "pr", k.Number)
	}
	s.count(event, resultAccepted)
	respond(w, http.StatusAccepted, "queued")
}

// rejectNotJSON answers 400 to a body that is not JSON.
func (s *Server) rejectNotJSON(w http.ResponseWriter, r *http.Request, log *slog.Logger, rej Rejection) {
	rej.Status, rej.Reason = http.StatusBadRequest, "body is not JSON"
	s.reject(w, r, log, rej, resultBadRequest)
}

// reject answers a refused webhook and writes it to the audit log.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, log *slog.Logger, rej Rejection, result string) {
	log.Warn("webhook rejected", "status", rej.Status, "reason", rej.Reason, "remote", rej.Remote)
	if err := s.cfg.Audit.WebhookRejected(r.Context(), rej); err != nil {
		log.Error("cannot audit rejected webhook", "err", err)
	}
	s.count(rej.Event, result)
	respond(w, rej.Status, rej.Reason)
}

func (s *Server) count(event, result string) {
	if event == "" {
		event = "none"
	}
	if handlerFor(event) == nil && event != "none" {
		// Bound label cardinality: an attacker must not mint labels.
		event = "other"
	}
	s.cfg.Metrics.Webhooks.WithLabelValues(event, result).Inc()
}

func respond(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}
