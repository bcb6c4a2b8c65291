package server

import "github.com/zgate-dev/zgate/app/facts"

// eventPull is a pull request as pull_request and pull_request_review
// events embed it: every field the engine reads (facts.PullHint), so the
// evaluation the delivery asks for can start from it instead of a GET.
type eventPull = facts.PullHint

// notePull hands the pull request (and review) a delivery carried to the
// engine's next evaluation of it (facts.Hints), when the delivery asks
// for exactly that pull request. Hints only ever delay a decision: the
// engine reads afresh before anything turns green.
func (s *Server) notePull(out outcome, pr *eventPull, rv *facts.ReviewHint, opened bool) {
	if s.cfg.Hints == nil || pr == nil || len(out.keys) != 1 || out.keys[0].Number != pr.Number {
		return
	}
	k := out.keys[0]
	if rv != nil {
		s.cfg.Hints.NoteReview(k.Owner, k.Repo, pr, rv)
		return
	}
	s.cfg.Hints.NotePull(k.Owner, k.Repo, pr, opened)
}
