package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// BenchmarkAsksPerEvaluation is what an evaluation of a pull request
// adds when review requests and PR commands are on: one read of its
// pending commands and one of its review requests, among 1,000 pull
// requests with two answered commands and two requests each.
func BenchmarkAsksPerEvaluation(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store) {
		ctx := b.Context()
		at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
		for n := 1; n <= 1000; n++ {
			k := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: n}
			var cmds []store.Command
			for i := range 2 {
				cmds = append(cmds, store.Command{CommentID: int64(n*10 + i), Key: k, Name: "explain", Sender: "bob", At: at})
			}
			if _, err := s.Intake(ctx, store.Intake{Delivery: fmt.Sprint("d", n), Event: "issue_comment", Received: at, Jobs: []store.PRKey{k}, Commands: cmds}); err != nil {
				b.Fatal(err)
			}
			for _, c := range cmds {
				if _, err := s.AnswerCommand(ctx, c.CommentID, at); err != nil {
					b.Fatal(err)
				}
			}
			for _, team := range []string{"acme/sre", "acme/security"} {
				if _, err := s.ClaimReviewRequest(ctx, k, team, at, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
		k := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 500}
		for b.Loop() {
			if cmds, err := s.PendingCommands(ctx, k); err != nil || len(cmds) != 0 {
				b.Fatal(cmds, err)
			}
			if rr, err := s.ReviewRequests(ctx, "acme", "payments", 500); err != nil || len(rr) != 2 {
				b.Fatal(rr, err)
			}
		}
	})
}
