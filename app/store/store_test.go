package store_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

func openSQLite(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open(%q) = %v", dsn, err)
	}
	return s
}

func TestSQLiteMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.Store { return openSQLite(t, "sqlite::memory:") })
}

func TestSQLiteFileConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.Store {
		return openSQLite(t, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	})
}

func TestPostgresConformance(t *testing.T) {
	if os.Getenv("ZGATE_TEST_POSTGRES") == "" {
		t.Skip(storetest.SkipPostgres)
	}
	storetest.Run(t, func(t *testing.T) *store.Store { return openPostgres(t) })
}

// openPostgres opens a store in a fresh schema of the ZGATE_TEST_POSTGRES
// database, dropped when the test ends.
func openPostgres(t testing.TB) *store.Store {
	t.Helper()
	dsn := storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES"))
	s, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open(%s) = %v", dsn, err)
	}
	return s
}

func TestOpenBadDSN(t *testing.T) {
	for _, dsn := range []string{"", "mysql://x", "zgate.db", "postgres://%zz", "sqlite:", "sqlite:?mode=memory"} {
		if s, err := store.Open(t.Context(), dsn); !errors.Is(err, store.ErrBadDSN) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Open(%q) = %v, want ErrBadDSN", dsn, err)
		}
	}
}

func TestSQLiteReopenKeepsState(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "zgate.db")
	at := time.Date(2026, 11, 25, 10, 0, 0, 1000, time.UTC)
	s := openSQLite(t, dsn)
	key := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 3}
	if err := s.Enqueue(t.Context(), key, at); err != nil {
		t.Fatalf("Enqueue() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	s = openSQLite(t, dsn) // migrations run again and must be a no-op
	defer s.Close()
	j, err := s.Claim(t.Context(), "w", at, time.Minute)
	if err != nil || j == nil || j.Key != key || !j.RunAt.Equal(at) {
		t.Fatalf("Claim() after reopen = %+v, %v; want the job for %v at %v", j, err, key, at)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zgate.db")
	s := openSQLite(t, "sqlite:"+path)
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO schema_migrations (version, name, applied_us) VALUES (9999, 'future', 0)"); err != nil {
		t.Fatalf("insert future migration: %v", err)
	}
	db.Close()
	if s, err := store.Open(t.Context(), "sqlite:"+path); err == nil {
		s.Close()
		t.Fatalf("Open(database from a newer zgate) = nil error, want an error")
	}
}

// TestPostgresReplicasMigrateTogether starts several replicas on an empty
// schema at once: the advisory lock lets exactly one migrate.
func TestPostgresReplicasMigrateTogether(t *testing.T) {
	dsn := storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES"))
	const replicas = 4
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			s, err := store.Open(t.Context(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Open() = %v", i, err)
		}
	}
}

// TestSQLiteReadsDoNotWaitForTheWriter holds a write transaction open (an
// audit builder that blocks inside Settle) and reads meanwhile: on a file
// the reads run on their own connections, in WAL mode beside the writer,
// and see the last committed state.
func TestSQLiteReadsDoNotWaitForTheWriter(t *testing.T) {
	ctx := t.Context()
	s := openSQLite(t, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	defer s.Close()
	k := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 1}
	if err := s.Enqueue(ctx, k, time.Unix(100, 0)); err != nil {
		t.Fatal(err)
	}
	j, err := s.Claim(ctx, "w", time.Unix(100, 0), time.Minute)
	if err != nil || j == nil {
		t.Fatalf("Claim() = %v, %v", j, err)
	}
	inTx, release := make(chan struct{}), make(chan struct{})
	fin := s.NewFinish()
	fin.AppendAudit(func(last *store.AuditRecord) (store.AuditRecord, error) {
		close(inTx)
		<-release
		return store.AuditRecord{Seq: 1, Time: time.Unix(100, 0).UTC(), Kind: "decision", PrevHash: "0", Hash: "h1"}, nil
	})
	settled := make(chan error, 1)
	go func() { settled <- s.Settle(ctx, j, store.Settlement{}, fin) }()
	<-inTx
	read := make(chan error, 1)
	go func() {
		n, err := s.PendingJobs(ctx)
		if err == nil && n != 1 {
			err = errors.New("the uncommitted completion is visible")
		}
		read <- err
	}()
	select {
	case err := <-read:
		if err != nil {
			t.Errorf("PendingJobs() during a write transaction = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("PendingJobs() waited for the writer's transaction")
	}
	close(release)
	if err := <-settled; err != nil {
		t.Fatalf("Settle() = %v", err)
	}
	if n, err := s.PendingJobs(ctx); err != nil || n != 0 {
		t.Errorf("PendingJobs() after Settle = %d, %v; want 0", n, err)
	}
}
