package store_test

import (
	"errors"
	"os"
	"testing"

	"github.com/zgate-dev/zgate/app/store"
)

// TestForgetCommit: a destroyed merge group's head loses its check-run
// fingerprints and status notices; other commits keep theirs. Both stores.
func TestForgetCommit(t *testing.T) {
	stores := map[string]func(t *testing.T) *store.Store{
		"sqlite": func(t *testing.T) *store.Store { return openSQLite(t, "sqlite::memory:") },
	}
	if os.Getenv("ZGATE_TEST_POSTGRES") != "" {
		stores["postgres"] = func(t *testing.T) *store.Store { return openPostgres(t) }
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			ctx := t.Context()
			for _, sha := range []string{"group", "other"} {
				if err := s.SetCheckFingerprint(ctx, "acme", "payments", sha, "zgate/production: main", 1, "fp"); err != nil {
					t.Fatal(err)
				}
				if err := s.NoteStatus(ctx, "acme", "payments", sha); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.ForgetCommit(ctx, "acme", "payments", "group"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.CheckFingerprint(ctx, "acme", "payments", "group", "zgate/production: main"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("fingerprint of the forgotten commit: %v, want ErrNotFound", err)
			}
			if n, err := s.StatusNotice(ctx, "acme", "payments", "group"); err != nil || n != 0 {
				t.Errorf("status notices of the forgotten commit: %d, %v; want 0", n, err)
			}
			if _, fp, err := s.CheckFingerprint(ctx, "acme", "payments", "other", "zgate/production: main"); err != nil || fp != "fp" {
				t.Errorf("other commit's fingerprint: %q, %v", fp, err)
			}
			if n, _ := s.StatusNotice(ctx, "acme", "payments", "other"); n != 1 {
				t.Errorf("other commit's notices: %d, want 1", n)
			}
		})
	}
}
