package server

import (
	"fmt"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// errNoHead means a pull_request or push payload lacks the repository id
// or the head commit the pusher is recorded under.
var errNoHead = fmt.Errorf("%w: payload has no repository id or head commit", errCannotAct)

// prPush is the pusher a pull_request opened, synchronize or reopened
// delivery names: its sender, whom GitHub sets (a commit's author and
// committer are whatever the pusher wrote), sighted now by zgate's clock.
func prPush(ev *pullRequestPayload, now time.Time) (store.Push, error) {
	repo, sender := ev.Repo.gh(), ev.Sender.gh()
	p := store.Push{
		RepoID:   repo.GetID(),
		Number:   ev.Number,
		Sender:   sender.GetLogin(),
		SenderID: sender.GetID(),
		SeenAt:   now,
	}
	if pr := ev.PullRequest; pr != nil {
		p.HeadSHA = pr.Head.SHA
		if p.Number == 0 {
			p.Number = pr.Number
		}
	}
	if p.RepoID == 0 || p.HeadSHA == "" || p.Number <= 0 {
		return store.Push{}, errNoHead
	}
	return p, nil
}
