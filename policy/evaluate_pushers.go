package policy

import (
	"fmt"
	"strings"
)

// pusherWhy returns why login counts as an author of the pull request
// because of a push, under rule, or "" when it does not. The author is
// handled apart (isAuthor); a pusher's approval and override do not count
// for the same reason: they wrote (part of) the change.
//
// Under [PushersAll] every push seen on this pull request counts; under
// [PushersHead] only the push that made the head commit. A push of the
// head commit seen elsewhere (another pull request with the same head, a
// branch) counts under both rules.
func (ix *factsIndex) pusherWhy(login string, rule PusherRule) string {
	if login == "" {
		return ""
	}
	head := ix.headSHA()
	var onThis, headHere, headElsewhere bool
	via := ""
	for _, p := range ix.f.Pushers {
		if !strings.EqualFold(p.Login, login) {
			continue
		}
		isHead := head != "" && strings.EqualFold(p.HeadSHA, head)
		switch {
		case p.Via == "" && isHead:
			headHere = true
		case p.Via == "":
			onThis = true
		case isHead && !headElsewhere:
			headElsewhere, via = true, p.Via
		}
	}
	switch {
	case headHere:
		return fmt.Sprintf("%s pushed to this pull request (its head %s), so counts as an author", login, abbrevSHA(head))
	case onThis && rule != PushersHead:
		return fmt.Sprintf("%s pushed to this pull request, so counts as an author", login)
	case headElsewhere:
		return fmt.Sprintf("%s pushed the head commit %s (via %s), so counts as an author", login, abbrevSHA(head), via)
	}
	return ""
}
