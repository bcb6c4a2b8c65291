package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
)

func testAuditKey(t *testing.T) *audit.Key {
	t.Helper()
	k, err := audit.NewKey(bytes.Repeat([]byte("k"), audit.MinKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func openTestStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestStartAuditRefusesKeyedLogWithoutKey: a replica started without the
// key must not write plain records after keyed ones.
func TestStartAuditRefusesKeyedLogWithoutKey(t *testing.T) {
	st := openTestStore(t)
	o := Options{Logger: slog.New(slog.DiscardHandler), AuditKey: testAuditKey(t)}
	if err := startAudit(t.Context(), audit.NewKeyed(st, time.Now, o.AuditKey), o); err != nil {
		t.Fatalf("startAudit(key) = %v", err)
	}
	o.AuditKey = nil
	if err := startAudit(t.Context(), audit.New(st, time.Now), o); !errors.Is(err, ErrConfig) || !errors.Is(err, audit.ErrKeyRequired) {
		t.Errorf("startAudit(keyed log, no key) = %v, want ErrConfig and ErrKeyRequired", err)
	}
}

func TestCheckpointer(t *testing.T) {
	st := openTestStore(t)
	key := testAuditKey(t)
	l := audit.NewKeyed(st, time.Now, key)
	file := filepath.Join(t.TempDir(), "cp.jsonl")
	var logs bytes.Buffer
	c := &checkpointer{log: l, file: file, l: slog.New(slog.NewJSONHandler(&logs, nil))}
	ctx := context.Background()
	c.run(ctx) // empty log: nothing to checkpoint; no interval: returns
	if _, err := l.Append(ctx, audit.Entry{Kind: audit.KindDecision}); err != nil {
		t.Fatal(err)
	}
	c.take(ctx)
	c.take(ctx) // unchanged: not written again
	if _, err := l.Append(ctx, audit.Entry{Kind: audit.KindDecision}); err != nil {
		t.Fatal(err)
	}
	c.final(ctx)

	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fromFile, err := audit.ReadCheckpoints(f)
	if err != nil || len(fromFile) != 2 || fromFile[0].Seq != 1 || fromFile[1].Seq != 2 {
		t.Fatalf("checkpoint file = %+v, %v; want seq 1 and 2", fromFile, err)
	}
	fromLog, err := audit.ReadCheckpoints(&logs)
	if err != nil || len(fromLog) != 2 {
		t.Fatalf("checkpoints logged = %+v, %v; want 2", fromLog, err)
	}
	rep, err := audit.VerifyWith(ctx, st, audit.VerifyOptions{Keys: []*audit.Key{key}, Checkpoints: append(fromFile, fromLog...)})
	if err != nil || rep.Checkpoints != 2 {
		t.Errorf("VerifyWith(checkpoints) = %+v, %v; want both matched", rep, err)
	}
}
