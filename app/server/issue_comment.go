package server

import (
	"log/slog"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/deploy"
	"github.com/zgate-dev/zgate/app/prcmd"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// commandPrefix starts every zgate comment command ("/zgate override ...").
const commandPrefix = "/zgate"

// handleIssueComment re-evaluates a pull request when a comment that is, or
// was, a zgate command (a break-glass override) is created, edited or
// deleted. Other comments cannot change a decision. A new comment's
// command other than override (recheck, explain, or an unknown one) is
// recorded for the evaluation to answer, unless a bot wrote it.
func handleIssueComment(s *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[github.IssueCommentEvent](body)
	if err != nil {
		return outcome{}, err
	}
	switch a := ev.GetAction(); a {
	case "created", "edited", "deleted":
	default:
		return ignore("issue_comment action %q", a)
	}
	if ev.GetIssue().GetPullRequestLinks() == nil {
		return ignore("comment on an issue, not a pull request")
	}
	if s.fromSelf(ev.GetSender()) {
		return ignore("sent by the App")
	}
	was := ""
	if ev.GetChanges() != nil {
		was = ev.GetChanges().GetBody().GetFrom()
	}
	if !strings.Contains(ev.GetComment().GetBody(), commandPrefix) && !strings.Contains(was, commandPrefix) {
		return ignore("comment has no %s command", commandPrefix)
	}
	out, err := one(ev.GetInstallation(), ev.GetRepo(), ev.GetIssue().GetNumber())
	if err == nil && (strings.Contains(ev.GetComment().GetBody(), policy.ApproveDeployCommand) || strings.Contains(was, policy.ApproveDeployCommand)) {
		// An approve-deploy command can open a pending deployment.
		out.keys = append(out.keys, deploy.Key(out.keys[0].Installation, out.keys[0].Owner, out.keys[0].Repo))
	}
	if err != nil || ev.GetAction() != "created" || isBot(ev.GetSender()) {
		// An edited comment is never answered: whoever edits it could
		// make zgate answer once per edit.
		return out, err
	}
	if c, ok := prcmd.Parse(ev.GetComment().GetBody()); ok && c.Name != prcmd.Override && c.Name != prcmd.ApproveDeploy && ev.GetComment().GetID() > 0 {
		out.commands = []store.Command{{CommentID: ev.GetComment().GetID(), Key: out.keys[0], Name: commandName(c), Sender: ev.GetSender().GetLogin(), At: s.cfg.Now()}}
	}
	return out, nil
}

// commandName is what is stored of a command: its name, "" for a bare
// prefix, as prcmd clipped it.
func commandName(c prcmd.Command) string {
	if c.Name == "" {
		return "-" // the store needs a name; the answer is the help
	}
	return c.Name
}

// isBot reports whether a comment's author is a bot (GitHub Apps, or an
// account GitHub marks as a bot): zgate never answers bots, so two bots
// cannot keep each other talking.
func isBot(u *github.User) bool {
	return u.GetType() == "Bot" || strings.HasSuffix(u.GetLogin(), "[bot]")
}
