package server

import (
	"fmt"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
)

// errNoHead means a pull_request or push payload lacks the repository id
// or the head commit the pusher is recorded under.
var errNoHead = fmt.Errorf("%w: payload has no repository id or head commit", errCannotAct)

// prPush is the pusher a pull_request opened, synchronize or reopened
// delivery names: its sender, whom GitHub sets (a commit's author and
// committer are whatever the pusher wrote), sighted now by zgate's clock.
func prPush(ev *github.PullRequestEvent, now time.Time) (store.Push, error) {
	p := store.Push{
		RepoID:   ev.GetRepo().GetID(),
		Number:   ev.GetNumber(),
		HeadSHA:  ev.GetPullRequest().GetHead().GetSHA(),
		Sender:   ev.GetSender().GetLogin(),
		SenderID: ev.GetSender().GetID(),
		SeenAt:   now,
	}
	if p.Number == 0 {
		p.Number = ev.GetPullRequest().GetNumber()
	}
	if p.RepoID == 0 || p.HeadSHA == "" || p.Number <= 0 {
		return store.Push{}, errNoHead
	}
	return p, nil
}
