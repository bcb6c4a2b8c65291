package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Intake is what one webhook delivery leaves in the store.
type Intake struct {
	// Delivery is GitHub's delivery id, recorded for dedupe; "" records
	// none (an event ignored but for its pushes).
	Delivery string
	Event    string
	Received time.Time
	// Pushes are the pushers the delivery names.
	Pushes []Push
	// Jobs are the pull requests (or repositories) to re-evaluate, due
	// at Received.
	Jobs []PRKey
	// Commands are PR commands by comment the delivery brings, answered by
	// the evaluation of their pull request.
	Commands []Command
	// RemovedReviews are team review requests a person removed.
	RemovedReviews []RemovedReview
	// Deployments are deployments waiting on zgate's protection rule
	// (deployments.go).
	Deployments []Deployment
}

// Intake records a delivery in one transaction: its pushes, its jobs and
// its id. Either all of it is stored or none, so a delivery answered with
// an error (which GitHub or the redelivery loop sends again) left nothing
// behind, and one answered 202 is recorded with everything it asked for.
// new is false when the delivery id was recorded before (a replay); its
// pushes and jobs are stored again all the same (they coalesce), as a
// re-evaluation is always safe. On PostgreSQL rows are written in key
// order, so concurrent intakes never deadlock, and a transaction that
// failed on a broken connection runs once more (it is idempotent).
func (s *Store) Intake(ctx context.Context, in Intake) (new bool, err error) {
	for _, p := range in.Pushes {
		if err := checkPush(p); err != nil {
			return false, err
		}
	}
	for _, k := range in.Jobs {
		if err := validKey(k); err != nil {
			return false, err
		}
	}
	for _, c := range in.Commands {
		if err := checkCommand(c); err != nil {
			return false, err
		}
	}
	for _, r := range in.RemovedReviews {
		if err := checkRemovedReview(r); err != nil {
			return false, err
		}
	}
	for _, d := range in.Deployments {
		if err := checkDeployment(d); err != nil {
			return false, err
		}
	}
	pushes := slices.Clone(in.Pushes)
	slices.SortFunc(pushes, func(a, b Push) int {
		return cmp.Or(cmp.Compare(a.RepoID, b.RepoID), cmp.Compare(a.Number, b.Number),
			strings.Compare(strings.ToLower(a.HeadSHA), strings.ToLower(b.HeadSHA)), strings.Compare(a.Sender, b.Sender))
	})
	jobs := slices.Clone(in.Jobs)
	slices.SortFunc(jobs, compareKeys)
	// Jobs and the delivery id alone are rebuilt by the sweep at start:
	// committed lazily (durability.go), and on SQLite together with the
	// intakes that arrive meanwhile (group.go). Pushers, commands, removed
	// review requests and deployments are not: durable.
	begin := s.inTx
	if len(in.Pushes) == 0 && len(in.Commands) == 0 && len(in.RemovedReviews) == 0 && len(in.Deployments) == 0 {
		if s.engine == engineSQLite && s.lazy.Load() {
			new, err = s.groupIntake(ctx, in, jobs)
			if err != nil {
				return false, fmt.Errorf("intake of delivery %q: %w", in.Delivery, err)
			}
			return new, nil
		}
		begin = s.inLazyTx
	}
	run := func() error {
		return begin(ctx, func(tx *sql.Tx) (err error) {
			new, err = s.intakeTx(ctx, tx, in, pushes, jobs)
			return err
		})
	}
	err = run()
	if s.engine == enginePostgres && connLost(err) && ctx.Err() == nil {
		s.flushDead(ctx)
		err = run()
	}
	if err != nil {
		return false, fmt.Errorf("intake of delivery %q: %w", in.Delivery, err)
	}
	return new, nil
}

// intakeTx writes in's rows in tx, pushes and jobs sorted by key; new is
// whether its delivery id was recorded for the first time.
func (s *Store) intakeTx(ctx context.Context, tx *sql.Tx, in Intake, pushes []Push, jobs []PRKey) (new bool, err error) {
	for _, p := range pushes {
		if _, err := s.txExec(ctx, tx, recordPushQuery, pushArgs(p)...); err != nil {
			return false, fmt.Errorf("record push %d#%d@%s by %q: %w", p.RepoID, p.Number, p.HeadSHA, p.Sender, err)
		}
	}
	if err := s.txRecordCommands(ctx, tx, in.Commands); err != nil {
		return false, err
	}
	for _, r := range in.RemovedReviews {
		if _, err := s.txExec(ctx, tx, removedReviewQuery, removedReviewArgs(r)...); err != nil {
			return false, fmt.Errorf("note removed review request of %s on %s/%s#%d: %w", r.Team, r.Owner, r.Repo, r.Number, err)
		}
	}
	if err := s.txRecordDeployments(ctx, tx, in.Deployments); err != nil {
		return false, err
	}
	for _, k := range jobs {
		if _, err := s.txExec(ctx, tx, enqueueQuery, k.Installation, k.Owner, k.Repo, k.Number, micros(in.Received)); err != nil {
			return false, fmt.Errorf("enqueue %s: %w", k, err)
		}
	}
	if in.Delivery == "" {
		return false, nil
	}
	res, err := s.txExec(ctx, tx, recordDeliveryQuery, in.Delivery, in.Event, micros(in.Received))
	if err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	return affected(res)
}
