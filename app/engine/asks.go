package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// Asks is the store of review requests and PR commands (*store.Store).
type Asks interface {
	ReviewRequests(ctx context.Context, owner, repo string, number int) (map[string]store.ReviewRequestState, error)
	ClaimReviewRequest(ctx context.Context, key store.PRKey, team string, at time.Time, build store.AuditBuilder) (bool, error)
	PendingCommands(ctx context.Context, key store.PRKey) ([]store.Command, error)
	AnswerCommand(ctx context.Context, commentID int64, at time.Time) (bool, error)
}

// reviewRequestData is the audit data of a review request.
type reviewRequestData struct {
	Team string `json:"team"`
	// Status is "requesting" (the intent, committed before the call),
	// "requested" or "failed".
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// askReviewers requests a review from each team a pending gate asks for
// (policy.GateDecision.ReviewRequests) that zgate never asked on this pull
// request and whose request no person removed: at most once per (pull
// request, team), the claim and its audit record committed before the
// call, so a crash or a retry never asks twice. Nothing here changes a
// decision: every failure is logged and audited, never returned.
func (e *Engine) askReviewers(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result, dec policy.Decision) {
	if e.cfg.Asks == nil {
		return
	}
	type ask struct{ team, gate string }
	var asks []ask
	seen := map[string]bool{}
	for _, gd := range dec.Gates {
		for _, id := range gd.ReviewRequests {
			team := strings.ToLower(strings.TrimPrefix(id, "@"))
			if !seen[team] {
				seen[team] = true
				asks = append(asks, ask{team, gd.Name})
			}
		}
	}
	if len(asks) == 0 {
		return
	}
	done, err := e.cfg.Asks.ReviewRequests(ctx, key.Owner, key.Repo, key.Number)
	if err != nil {
		log.Warn("cannot read the review requests made; none made now", "err", err)
		return
	}
	for _, a := range asks {
		if _, ok := done[a.team]; ok {
			continue
		}
		org, slug, _ := strings.Cut(a.team, "/")
		if !strings.EqualFold(org, key.Owner) || slug == "" {
			continue // policy.Evaluate keeps other organizations out; be sure
		}
		entry := audit.Entry{Kind: audit.KindReviewRequest, Repo: key.Owner + "/" + key.Repo, PR: key.Number, Gate: a.gate, HeadSHA: res.HeadSHA,
			Data: reviewRequestData{Team: "@" + a.team, Status: "requesting"}}
		build, err := e.cfg.Audit.Builder(entry)
		if err != nil {
			log.Warn("cannot audit a review request; not made", "team", a.team, "err", err)
			continue
		}
		claimed, err := e.cfg.Asks.ClaimReviewRequest(ctx, key, a.team, e.now(), build)
		if err != nil {
			log.Warn("cannot record a review request; not made", "team", a.team, "err", err)
			continue
		}
		if !claimed {
			continue // another replica, or an earlier run, asked
		}
		_, _, err = gh.PullRequests.RequestReviewers(ctx, key.Owner, key.Repo, key.Number, github.ReviewersRequest{TeamReviewers: []string{slug}})
		data := reviewRequestData{Team: "@" + a.team, Status: "requested"}
		if err != nil {
			// Not retried: asking once is the promise, and a person can
			// still request the team by hand.
			data.Status, data.Error = "failed", err.Error()
			log.Warn("review request failed", "team", a.team, "err", err)
		} else {
			log.Info("review requested", "team", a.team, "gate", a.gate)
		}
		entry.Data = data
		if err := e.append(ctx, key, entry); err != nil {
			log.Warn("cannot audit the review request's result", "team", a.team, "err", err)
		}
	}
}

// commandData is the audit data of an answered PR command.
type commandData struct {
	CommentID int64  `json:"comment_id"`
	Command   string `json:"command"`
	Sender    string `json:"sender"`
	Answer    string `json:"answer"`
	Error     string `json:"error,omitempty"`
}

// answerCommands answers the pull request's pending PR commands once
// each, after this evaluation: a reaction to recheck (the evaluation was
// the recheck), the gates' explanation to explain, the list of commands
// to anything else. dec is nil when there is no decision; why then says
// what to explain instead. The command is marked answered before the
// answer is sent, so a crash or a second replica never answers twice.
func (e *Engine) answerCommands(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result, dec *policy.Decision, why string) {
	if e.cfg.Asks == nil {
		return
	}
	cmds, err := e.cfg.Asks.PendingCommands(ctx, key)
	if err != nil {
		log.Warn("cannot read pending PR commands", "err", err)
		return
	}
	for _, c := range cmds {
		claimed, err := e.cfg.Asks.AnswerCommand(ctx, c.CommentID, e.now())
		if err != nil || !claimed {
			if err != nil {
				log.Warn("cannot mark a PR command answered; not answered", "comment", c.CommentID, "err", err)
			}
			continue
		}
		answer, err := e.answer(ctx, gh, key, res, dec, why, c)
		data := commandData{CommentID: c.CommentID, Command: c.Name, Sender: c.Sender, Answer: answer}
		if err != nil {
			data.Error = err.Error()
			log.Warn("cannot answer a PR command", "comment", c.CommentID, "command", c.Name, "err", err)
		}
		head := ""
		if res != nil {
			head = res.HeadSHA
		}
		entry := audit.Entry{Kind: audit.KindCommand, Repo: key.Owner + "/" + key.Repo, PR: key.Number, HeadSHA: head, Data: data}
		if err := e.append(ctx, key, entry); err != nil {
			log.Warn("cannot audit a PR command", "comment", c.CommentID, "err", err)
		}
	}
}

// answer sends one command's answer and says what it was.
func (e *Engine) answer(ctx context.Context, gh *github.Client, key store.PRKey, res *facts.Result, dec *policy.Decision, why string, c store.Command) (string, error) {
	switch c.Name {
	case "recheck":
		_, _, err := gh.Reactions.CreateIssueCommentReaction(ctx, key.Owner, key.Repo, c.CommentID, RecheckReaction)
		return "reaction " + RecheckReaction, err
	case "explain":
		body := Explanation(res, dec, why, e.now())
		_, _, err := gh.Issues.CreateComment(ctx, key.Owner, key.Repo, key.Number, &github.IssueComment{Body: github.String(body)})
		return "explanation", err
	}
	name := c.Name
	if name == "-" {
		name = ""
	}
	_, _, err := gh.Issues.CreateComment(ctx, key.Owner, key.Repo, key.Number, &github.IssueComment{Body: github.String(helpReply(name))})
	if err != nil {
		return "help", fmt.Errorf("reply: %w", err)
	}
	return "help", nil
}

// RecheckReaction is the reaction that answers /zgate recheck.
const RecheckReaction = "+1"
