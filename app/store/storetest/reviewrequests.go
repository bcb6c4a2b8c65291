package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/store"
)

// testReviewRequests: a (pull request, team) is claimed once, with its
// audit record in the same transaction; a removal by a person sticks and
// blocks a later claim; names compare without case.
func testReviewRequests(t *testing.T, s *store.Store) {
	ctx := t.Context()
	boom := errors.New("boom")
	failing := func(*store.AuditRecord) (store.AuditRecord, error) { return store.AuditRecord{}, boom }

	if _, err := s.ClaimReviewRequest(ctx, key(1), "acme/sre", t0, failing); !errors.Is(err, boom) {
		t.Fatalf("ClaimReviewRequest(failing record) = %v, want %v", err, boom)
	}
	claimed, err := s.ClaimReviewRequest(ctx, key(1), "acme/sre", t0, kindOf("review_request", `"sre"`))
	if err != nil || !claimed {
		t.Fatalf("ClaimReviewRequest() after a failed one = %v, %v; want claimed (nothing was left behind)", claimed, err)
	}
	claimed, err = s.ClaimReviewRequest(ctx, store.PRKey{Installation: 42, Owner: "ACME", Repo: "Payments", Number: 1}, "@ACME/SRE", t0, kindOf("review_request", `"again"`))
	if err != nil || claimed {
		t.Fatalf("second ClaimReviewRequest() = %v, %v; want not claimed", claimed, err)
	}
	if err := s.NoteReviewRequestRemoved(ctx, "acme", "payments", 1, "acme/security", t0); err != nil {
		t.Fatalf("NoteReviewRequestRemoved() = %v", err)
	}
	if claimed, err := s.ClaimReviewRequest(ctx, key(1), "acme/security", t0, kindOf("review_request", `"removed"`)); err != nil || claimed {
		t.Fatalf("ClaimReviewRequest() of a removed request = %v, %v; want not claimed", claimed, err)
	}
	// A request zgate made, then removed by a person.
	if claimed, err := s.ClaimReviewRequest(ctx, key(2), "acme/sre", t0, nil); err != nil || !claimed {
		t.Fatalf("ClaimReviewRequest(#2) = %v, %v; want claimed", claimed, err)
	}
	if err := s.NoteReviewRequestRemoved(ctx, "Acme", "payments", 2, "ACME/sre", t0.Add(time.Minute)); err != nil {
		t.Fatalf("NoteReviewRequestRemoved(#2) = %v", err)
	}
	got, err := s.ReviewRequests(ctx, "acme", "PAYMENTS", 1)
	if err != nil {
		t.Fatalf("ReviewRequests() = %v", err)
	}
	want := map[string]store.ReviewRequestState{"acme/sre": store.ReviewRequested, "acme/security": store.ReviewRequestRemoved}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReviewRequests(#1) mismatch (-want +got):\n%s", diff)
	}
	if got, _ := s.ReviewRequests(ctx, "acme", "payments", 2); got["acme/sre"] != store.ReviewRequestRemoved {
		t.Errorf("ReviewRequests(#2) = %v, want acme/sre removed", got)
	}
	if diff := cmp.Diff([]string{`"sre"`}, auditData(t, s)); diff != "" {
		t.Errorf("audit records (-want +got):\n%s", diff)
	}
	if _, err := s.ClaimReviewRequest(ctx, key(1), "", t0, nil); err == nil {
		t.Errorf("ClaimReviewRequest(empty team) = nil error, want an error")
	}
}

// testReviewRequestsConcurrent: replicas racing to request the same team
// claim it once between them.
func testReviewRequestsConcurrent(t *testing.T, s *store.Store) {
	ctx := t.Context()
	const workers = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	claims := 0
	for w := range workers {
		wg.Go(func() {
			ok, err := s.ClaimReviewRequest(ctx, key(3), "acme/sre", t0, kindOf("review_request", fmt.Sprintf(`{"w":%d}`, w)))
			if err != nil {
				t.Errorf("ClaimReviewRequest(worker %d) = %v", w, err)
			}
			if ok {
				mu.Lock()
				claims++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if claims != 1 {
		t.Errorf("%d workers claimed the request, want 1", claims)
	}
	if n := len(auditData(t, s)); n != 1 {
		t.Errorf("%d audit records, want 1", n)
	}
}

// testCommands: commands recorded by intake (once per comment, also when
// redelivered) are pending until answered, and answered once.
func testCommands(t *testing.T, s *store.Store) {
	ctx := t.Context()
	c1 := store.Command{CommentID: 501, Key: key(4), Name: "recheck", Sender: "bob", At: t0}
	c2 := store.Command{CommentID: 502, Key: key(4), Name: "explain", Sender: "carol", At: t0.Add(time.Second)}
	other := store.Command{CommentID: 503, Key: key(5), Name: "explain", Sender: "carol", At: t0}
	in := store.Intake{Delivery: "d-1", Event: "issue_comment", Received: t0, Jobs: []store.PRKey{key(4)}, Commands: []store.Command{c2, c1, other}}
	if _, err := s.Intake(ctx, in); err != nil {
		t.Fatalf("Intake() = %v", err)
	}
	// A redelivery, with the command renamed (it must not be rewritten).
	c1b := c1
	c1b.Name = "explain"
	if _, err := s.Intake(ctx, store.Intake{Delivery: "d-2", Event: "issue_comment", Received: t0, Jobs: []store.PRKey{key(4)}, Commands: []store.Command{c1b}}); err != nil {
		t.Fatalf("Intake(redelivery) = %v", err)
	}
	got, err := s.PendingCommands(ctx, store.PRKey{Installation: 42, Owner: "Acme", Repo: "payments", Number: 4})
	if err != nil {
		t.Fatalf("PendingCommands() = %v", err)
	}
	for i := range got {
		got[i].Key = key(4) // the caller's key comes back
	}
	if diff := cmp.Diff([]store.Command{c1, c2}, got); diff != "" {
		t.Errorf("PendingCommands mismatch (-want +got):\n%s", diff)
	}
	if ok, err := s.AnswerCommand(ctx, c1.CommentID, t0); err != nil || !ok {
		t.Fatalf("AnswerCommand() = %v, %v; want claimed", ok, err)
	}
	if ok, err := s.AnswerCommand(ctx, c1.CommentID, t0); err != nil || ok {
		t.Fatalf("second AnswerCommand() = %v, %v; want not claimed", ok, err)
	}
	got, _ = s.PendingCommands(ctx, key(4))
	if len(got) != 1 || got[0].CommentID != c2.CommentID {
		t.Errorf("PendingCommands after an answer = %+v, want only %d", got, c2.CommentID)
	}
	bad := store.Intake{Delivery: "d-3", Event: "issue_comment", Received: t0, Commands: []store.Command{{Key: key(4), Name: "recheck"}}}
	if _, err := s.Intake(ctx, bad); err == nil {
		t.Errorf("Intake(command without comment id) = nil error, want an error")
	}
}
