package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// TestSQLiteGroupCommitsIntakes: intakes that arrive while the writer is
// busy commit together in one transaction, each with its own answer (a
// delivery id seen twice is new once), and each job is queued.
func TestSQLiteGroupCommitsIntakes(t *testing.T) {
	ctx := t.Context()
	s := openLazySQLite(t)

	// Hold the writer with an audit append until the intakes wait.
	held, release := make(chan struct{}), make(chan struct{})
	appended := make(chan error, 1)
	go func() {
		_, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
			close(held)
			<-release
			return store.AuditRecord{}, errors.New("rolled back on purpose")
		})
		appended <- err
	}()
	<-held
	before := s.Commits()
	const n = 12
	type answer struct {
		new bool
		err error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		delivery := fmt.Sprint("d-", i)
		if i == n-1 {
			delivery = "d-0" // a redelivery of the first, in the same group
		}
		wg.Go(func() {
			key := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 1 + i}
			answers[i].new, answers[i].err = s.Intake(ctx, store.Intake{Delivery: delivery, Event: "pull_request_review", Received: lazyNow, Jobs: []store.PRKey{key}})
		})
	}
	// One intake leads and waits for the writer; the others wait for the
	// next group.
	deadline := time.Now().Add(10 * time.Second)
	for store.WaitingIntakes(s) < n-1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d intakes waiting, want %d", store.WaitingIntakes(s), n-1)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-appended; err == nil {
		t.Fatal("the held append committed")
	}
	wg.Wait()
	newCount := 0
	for i, a := range answers {
		if a.err != nil {
			t.Fatalf("intake %d: %v", i, a.err)
		}
		if a.new {
			newCount++
		}
	}
	if newCount != n-1 {
		t.Errorf("%d intakes answered new, want %d (d-0 twice)", newCount, n-1)
	}
	if got := s.Commits() - before; got != 2 {
		t.Errorf("%d intakes took %d commits, want 2 (the leader's, then the group's)", n, got)
	}
	if pending, err := s.PendingJobs(ctx); err != nil || pending != n {
		t.Errorf("PendingJobs() = %d, %v; want %d", pending, err, n)
	}
}
