package store_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

// TestPostgresSurvivesKilledBackends kills every backend of the store's
// pool (pg_terminate_backend, as a failover or an administrator does)
// while they sit idle, then uses the store at once: each call must
// succeed on a fresh connection instead of failing with 57P01, since a
// webhook answered 503 is not redelivered by GitHub.
func TestPostgresSurvivesKilledBackends(t *testing.T) {
	base := os.Getenv("ZGATE_TEST_POSTGRES")
	dsn := storetest.PostgresDSN(t, base)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	appName := "zgate_kill_" + hex.EncodeToString(b[:])
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", appName)
	u.RawQuery = q.Encode()
	ctx := t.Context()
	st, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	for round := range 5 {
		// Fill the pool with several connections, used just now (so the
		// driver's liveness ping of long-idle connections does not help).
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				if _, err := st.RecordDelivery(ctx, fmt.Sprintf("warm-%d-%d", round, i), "ping", time.Now()); err != nil {
					t.Errorf("warm-up: %v", err)
				}
			})
		}
		wg.Wait()
		var killed int
		if err := admin.QueryRowContext(ctx,
			"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", appName).Scan(&killed); err != nil {
			t.Fatal(err)
		}
		if killed == 0 {
			t.Fatalf("round %d: no backend of the store to kill", round)
		}
		time.Sleep(50 * time.Millisecond) // let the FATAL messages arrive
		key := store.PRKey{Installation: 1, Owner: "o", Repo: "r", Number: round + 1}
		if err := st.Enqueue(ctx, key, time.Now()); err != nil {
			t.Errorf("round %d: Enqueue after %d backends were killed: %v", round, killed, err)
		}
		if _, err := st.RecordDelivery(ctx, fmt.Sprintf("d-%d", round), "pull_request", time.Now()); err != nil {
			t.Errorf("round %d: RecordDelivery after %d backends were killed: %v", round, killed, err)
		}
		if _, _, err := st.CheckFingerprint(ctx, "o", "r", "sha", "zgate/x"); err != nil && !isNotFound(err) {
			t.Errorf("round %d: CheckFingerprint after backends were killed: %v", round, err)
		}
	}
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
