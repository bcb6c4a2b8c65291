package storetest

import (
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// Open returns a fresh, empty store; the suite closes it.
type Open func(t *testing.T) *store.Store

// Run runs every conformance test against stores from open, each test in
// its own subtest with its own store.
func Run(t *testing.T, open Open) {
	t.Helper()
	tests := []struct {
		name string
		f    func(t *testing.T, s *store.Store)
	}{
		{"Deliveries", testDeliveries},
		{"ClaimNothingDue", testClaimNothingDue},
		{"EnqueueClaimRoundTrip", testEnqueueClaimRoundTrip},
		{"Coalescing", testCoalescing},
		{"ClaimOrder", testClaimOrder},
		{"ClaimedPRNotClaimedTwice", testClaimedNotTwice},
		{"LeaseExpiryReclaim", testLeaseExpiry},
		{"DirtyRerun", testDirtyRerun},
		{"DirtyFutureTimer", testDirtyFuture},
		{"Retry", testRetry},
		{"Release", testRelease},
		{"NextDue", testNextDue},
		{"ConcurrentClaims", testConcurrentClaims},
		{"Executions", testExecutions},
		{"ConcurrentBeginExecution", testConcurrentBeginExecution},
		{"CheckFingerprints", testCheckFingerprints},
		{"CheckRunStates", testCheckRunStates},
		{"StatusNotices", testStatusNotices},
		{"Pushes", testPushes},
		{"PushesOf", testPushesOf},
		{"DeliverySeen", testDeliverySeen},
		{"PruneCheckFingerprints", testPruneCheckFingerprints},
		{"PruneFailingJobs", testPruneFailingJobs},
		{"AuditAppend", testAuditAppend},
		{"AuditRejectsBadLinks", testAuditRejects},
		{"AuditConcurrentAppends", testAuditConcurrent},
		{"LastAudit", testLastAudit},
		{"ExecutionsAudited", testExecutionsAudited},
		{"ExecutionsAuditedConcurrent", testExecutionsAuditedConcurrent},
		{"ResolveExecution", testResolveExecution},
		{"Intake", testIntake},
		{"SettleFinish", testSettleFinish},
		{"SettleClaimLost", testSettleClaimLost},
		{"SettleAndClaim", testSettleAndClaim},
		{"SettleFailureKeepsStaged", testSettleFailureKeepsStaged},
		{"GatePending", testGatePending},
		{"OldestDueJob", testOldestDueJob},
		{"ReviewRequests", testReviewRequests},
		{"ReviewRequestsConcurrent", testReviewRequestsConcurrent},
		{"Commands", testCommands},
		{"Ping", func(t *testing.T, s *store.Store) {
			if err := s.Ping(t.Context()); err != nil {
				t.Fatalf("Ping() = %v, want nil", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close() = %v", err)
				}
			})
			tc.f(t, s)
		})
	}
}

// t0 is the suite's fixed "now", with microseconds to check precision.
var t0 = time.Date(2026, 11, 25, 10, 0, 0, 123456000, time.UTC)

func key(n int) store.PRKey {
	return store.PRKey{Installation: 42, Owner: "acme", Repo: "payments", Number: n}
}

func mustEnqueue(t *testing.T, s *store.Store, k store.PRKey, at time.Time) {
	t.Helper()
	if err := s.Enqueue(t.Context(), k, at); err != nil {
		t.Fatalf("Enqueue(%v, %v) = %v", k, at, err)
	}
}

func mustClaim(t *testing.T, s *store.Store, now time.Time, lease time.Duration) *store.Job {
	t.Helper()
	j, err := s.Claim(t.Context(), "w", now, lease)
	if err != nil {
		t.Fatalf("Claim(%v) = %v", now, err)
	}
	return j
}

func wantNoClaim(t *testing.T, s *store.Store, now time.Time) {
	t.Helper()
	if j := mustClaim(t, s, now, time.Minute); j != nil {
		t.Fatalf("Claim(%v) = %+v, want nil", now, j)
	}
}

func wantPending(t *testing.T, s *store.Store, want int) {
	t.Helper()
	n, err := s.PendingJobs(t.Context())
	if err != nil {
		t.Fatalf("PendingJobs() = %v", err)
	}
	if n != want {
		t.Fatalf("PendingJobs() = %d, want %d", n, want)
	}
}

// link builds the next record the way a minimal audit log would.
