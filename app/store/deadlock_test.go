package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"
)

// TestSQLitePrepareDuringTransaction is a regression test: a first-time
// query preparing its statement while an audit append holds SQLite's one
// connection must wait for the append, not deadlock it (the append needs
// the statement cache the preparer used to lock while waiting).
func TestSQLitePrepareDuringTransaction(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, "sqlite:"+t.TempDir()+"/zgate.db")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()

	pending := make(chan error, 1)
	_, err = s.AppendAudit(ctx, func(last *AuditRecord) (AuditRecord, error) {
		// The transaction holds the connection now: a first PendingJobs
		// has to prepare its statement and so waits for it.
		go func() {
			_, err := s.PendingJobs(ctx)
			pending <- err
		}()
		time.Sleep(100 * time.Millisecond)
		sum := sha256.Sum256([]byte("first"))
		return AuditRecord{Seq: 1, Time: time.Unix(1_800_000_000, 0), Kind: "decision",
			PrevHash: "0000000000000000000000000000000000000000000000000000000000000000",
			Hash:     hex.EncodeToString(sum[:])}, nil
	})
	if err != nil {
		t.Fatalf("AppendAudit while a statement is being prepared: %v", err)
	}
	if err := <-pending; err != nil {
		t.Fatalf("PendingJobs after the append: %v", err)
	}
}
