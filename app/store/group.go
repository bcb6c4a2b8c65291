package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Group commit of intakes (SQLite). Webhook deliveries arrive
// concurrently (GitHub sends several at once) and SQLite has one writer:
// each intake in a transaction of its own waits for the one before, and
// each commit writes its own WAL frames for the same few pages (the jobs
// and deliveries tables and their indexes). Instead, an intake that finds
// the writer busy with another intake's commit waits to go in the next
// one, with every intake that arrived meanwhile: under load one commit
// takes several deliveries, and alone an intake commits at once as
// before. Only lazy intakes (jobs and a delivery id) are grouped; what
// must be durable commits on its own.

// groupCommitTimeout bounds a group's transaction: it runs for several
// requests, so it does not stop when the one leading it is cancelled.
const groupCommitTimeout = 30 * time.Second

// intakeGroup gathers the intakes waiting for the next group commit.
type intakeGroup struct {
	mu      sync.Mutex
	waiting []*groupedIntake
	leading bool // a group is being committed
}

// groupedIntake is one intake in a group, with its outcome.
type groupedIntake struct {
	in   Intake
	jobs []PRKey
	new  bool
	err  error
	// wake is closed when the intake is committed (or failed), or when it
	// is to lead the next group (lead is set first).
	wake chan struct{}
	lead bool
}

// groupIntake commits in (lazy: jobs and delivery id only) in the next
// group commit and returns whether its delivery was new.
func (s *Store) groupIntake(ctx context.Context, in Intake, jobs []PRKey) (bool, error) {
	g := &s.intakes
	me := &groupedIntake{in: in, jobs: jobs, wake: make(chan struct{})}
	g.mu.Lock()
	g.waiting = append(g.waiting, me)
	if g.leading {
		g.mu.Unlock()
		<-me.wake
		if !me.lead {
			return me.new, me.err
		}
		g.mu.Lock()
	}
	g.leading = true
	group := g.waiting
	g.waiting = nil
	g.mu.Unlock()

	s.commitGroup(context.WithoutCancel(ctx), group)

	// Hand over to the first intake that arrived meanwhile: a leader
	// commits one group, so its own answer never waits for later ones.
	g.mu.Lock()
	if len(g.waiting) > 0 {
		next := g.waiting[0]
		next.lead = true
		close(next.wake)
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return me.new, me.err
}

// commitGroup commits the intakes of group in one lazy transaction and
// wakes each with its outcome. Should the transaction fail, each intake is
// tried in a transaction of its own, so that one cannot fail another.
func (s *Store) commitGroup(ctx context.Context, group []*groupedIntake) {
	ctx, cancel := context.WithTimeout(ctx, groupCommitTimeout)
	defer cancel()
	defer func() {
		for _, gi := range group {
			if !gi.lead {
				close(gi.wake)
			}
		}
	}()
	news := make([]bool, len(group))
	err := s.inLazyTx(ctx, func(tx *sql.Tx) error {
		for i, gi := range group {
			var err error
			if news[i], err = s.intakeTx(ctx, tx, gi.in, nil, gi.jobs); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for i, gi := range group {
			gi.new = news[i]
		}
		return
	}
	for _, gi := range group {
		gi.err = s.inLazyTx(ctx, func(tx *sql.Tx) (err error) {
			gi.new, err = s.intakeTx(ctx, tx, gi.in, nil, gi.jobs)
			return err
		})
	}
}
