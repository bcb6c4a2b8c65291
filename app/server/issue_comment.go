package server

import (
	"log/slog"
	"strings"

	"github.com/google/go-github/v62/github"
)

// commandPrefix starts every zgate comment command ("/zgate override ...").
const commandPrefix = "/zgate"

// handleIssueComment re-evaluates a pull request when a comment that is, or
// was, a zgate command (a break-glass override) is created, edited or
// deleted. Other comments cannot change a decision.
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
	return one(ev.GetInstallation(), ev.GetRepo(), ev.GetIssue().GetNumber())
}
