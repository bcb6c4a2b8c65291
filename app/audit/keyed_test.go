package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

// testKey returns a key from a fixed secret seeded by b.
func testKey(t testing.TB, b byte) *audit.Key {
	t.Helper()
	k, err := audit.NewKey(bytes.Repeat([]byte{b}, audit.MinKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// engines are the databases the attacker tests run on: SQLite always,
// PostgreSQL when ZGATE_TEST_POSTGRES is set.
type engine struct {
	name string
	// open returns a DSN for the store and the driver and DSN an attacker
	// uses to reach the same tables.
	open func(t *testing.T) (dsn, driver, raw string)
}

var engines = []engine{
	{"sqlite", func(t *testing.T) (string, string, string) {
		path := filepath.Join(t.TempDir(), "zgate.db")
		return "sqlite:" + path, "sqlite", path
	}},
	{"postgres", func(t *testing.T) (string, string, string) {
		dsn := storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES"))
		return dsn, "pgx", dsn
	}},
}

// keyedTrail writes what an upgraded installation holds: two plain
// records from before the key, the key record zgate serve writes at start,
// then keyed records of a PR's decisions and its merge. It returns the
// checkpoint zgate serve would have logged last.
func keyedTrail(t *testing.T, s *store.Store, key *audit.Key) audit.Checkpoint {
	t.Helper()
	ctx := t.Context()
	plain := audit.New(s, stepClock())
	for _, e := range entries[:2] {
		if _, err := plain.Append(ctx, e); err != nil {
			t.Fatalf("Append() = %v", err)
		}
	}
	l := audit.NewKeyed(s, stepClock(), key)
	rec, err := l.Start(ctx)
	if err != nil || rec == nil || rec.Kind != audit.KindKey || rec.Seq != 3 {
		t.Fatalf("Start() = %+v, %v; want a key record at seq 3", rec, err)
	}
	for _, e := range entries[2:] {
		if _, err := l.Append(ctx, e); err != nil {
			t.Fatalf("Append() = %v", err)
		}
	}
	cp, ok, err := l.Checkpoint(ctx)
	if err != nil || !ok || cp.Seq != 6 || cp.MAC == "" {
		t.Fatalf("Checkpoint() = %+v, %v, %v; want seq 6 with a MAC", cp, ok, err)
	}
	return cp
}

// forge rewrites the log as someone with only database access can: edit
// changes the records (deletes, rewrites), then every record is numbered
// again from 1 and, when rehash, every hash is recomputed with the public
// plain formula, each chained onto the one before; strip also blanks the
// key ids (turning keyed records into plain ones).
func forge(t *testing.T, driver, raw string, s *store.Store, edit func([]store.AuditRecord) []store.AuditRecord, rehash, strip bool) {
	t.Helper()
	ctx := t.Context()
	recs, err := s.AuditRecords(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	orig := append([]store.AuditRecord(nil), recs...)
	recs = edit(recs)
	if rehash {
		// From the first record edit changed (from the first, to strip
		// keys) to the end.
		from := 0
		for !strip && from < len(recs) && from < len(orig) && recs[from].Seq == orig[from].Seq && bytes.Equal(recs[from].Data, orig[from].Data) {
			from++
		}
		prev := audit.GenesisHash
		if from > 0 {
			prev = recs[from-1].Hash
		}
		for i := from; i < len(recs); i++ {
			recs[i].Seq, recs[i].PrevHash = int64(i+1), prev
			if strip {
				recs[i].KeyID = ""
			}
			recs[i].Hash = audit.Hash(recs[i])
			prev = recs[i].Hash
		}
	}
	db, err := sql.Open(driver, raw)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM audit"); err != nil {
		t.Fatalf("forge: %v", err)
	}
	for _, r := range recs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit (seq, time_us, kind, repo, pr, gate, head_sha, data, prev_hash, hash, key_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			r.Seq, r.Time.UnixMicro(), r.Kind, r.Repo, r.PR, r.Gate, r.HeadSHA, r.Data, r.PrevHash, r.Hash, r.KeyID); err != nil {
			t.Fatalf("forge seq %d: %v", r.Seq, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// rewriteExecution turns the merge (seq 5) into a failure.
func rewriteExecution(recs []store.AuditRecord) []store.AuditRecord {
	for i := range recs {
		if recs[i].Kind == audit.KindExecution {
			recs[i].Data = bytes.Replace(recs[i].Data, []byte(`"done"`), []byte(`"failed"`), 1)
		}
	}
	return recs
}

// without drops the records with the given seqs.
func without(seqs ...int64) func([]store.AuditRecord) []store.AuditRecord {
	return func(recs []store.AuditRecord) []store.AuditRecord {
		var out []store.AuditRecord
	next:
		for _, r := range recs {
			for _, s := range seqs {
				if r.Seq == s {
					continue next
				}
			}
			out = append(out, r)
		}
		return out
	}
}

// TestKeyedLogDetectsForgery rewrites the database as an administrator
// without the key can, on each engine: every forgery that `zgate audit
// verify` missed with plain hashes is now caught with the key (and the
// checkpoint, for records cut off the end).
func TestKeyedLogDetectsForgery(t *testing.T) {
	key := testKey(t, 1)
	for _, eng := range engines {
		for _, tc := range []struct {
			name          string
			edit          func([]store.AuditRecord) []store.AuditRecord
			rehash, strip bool
			noCheckpoint  bool
			want          audit.Problem
			seq           int64
		}{
			{name: "merge rewritten as failed, hashes recomputed", edit: rewriteExecution, rehash: true, want: audit.ProblemBadMAC, seq: 5},
			{name: "merge rewritten, keys stripped, hashes recomputed", edit: rewriteExecution, rehash: true, strip: true, noCheckpoint: true, want: audit.ProblemUnkeyed, seq: 6},
			{name: "decision deleted, renumbered, hashes recomputed", edit: without(4), rehash: true, want: audit.ProblemBadMAC, seq: 4},
			{name: "decision deleted, keys stripped", edit: without(4), rehash: true, strip: true, noCheckpoint: true, want: audit.ProblemUnkeyed, seq: 5},
			{name: "decision deleted", edit: without(4), want: audit.ProblemGap, seq: 5},
			{name: "plain record before the key rewritten", edit: func(r []store.AuditRecord) []store.AuditRecord {
				r[0].Data = []byte(`{"state":"success"}`)
				return r
			}, rehash: true, want: audit.ProblemBadMAC, seq: 3},
			{name: "keys stripped, checkpoint kept", edit: rewriteExecution, rehash: true, strip: true, want: audit.ProblemCheckpoint, seq: 6},
			{name: "tail cut off", edit: without(5, 6), want: audit.ProblemTruncated, seq: 6},
			{name: "keyed tail replaced by plain records", edit: func(r []store.AuditRecord) []store.AuditRecord {
				r = r[:2]
				return append(r, r[1])
			}, rehash: true, noCheckpoint: true, want: audit.ProblemUnkeyed, seq: 3},
		} {
			t.Run(eng.name+"/"+tc.name, func(t *testing.T) {
				dsn, driver, raw := eng.open(t)
				s := openStore(t, dsn)
				cp := keyedTrail(t, s, key)
				opts := audit.VerifyOptions{Keys: []*audit.Key{key}, Checkpoints: []audit.Checkpoint{cp}}
				if rep, err := audit.VerifyWith(t.Context(), s, opts); err != nil || !rep.Authenticated() || rep.Checkpoints != 1 {
					t.Fatalf("VerifyWith(intact) = %+v, %v; want authenticated, checkpoint matched", rep, err)
				}

				forge(t, driver, raw, s, tc.edit, tc.rehash, tc.strip)
				// What verify said before keys: the forgery passes a
				// plain check whenever the hashes were recomputed.
				if tc.rehash && tc.strip {
					if _, err := audit.Verify(t.Context(), s); err != nil {
						t.Errorf("Verify(no key) = %v; the forgery should pass a plain check", err)
					}
				}
				if tc.noCheckpoint {
					opts.Checkpoints = nil
				}
				_, err := audit.VerifyWith(t.Context(), s, opts)
				var ce *audit.ChainError
				if !errors.As(err, &ce) {
					t.Fatalf("VerifyWith(forged) = %v, want a *ChainError %q", err, tc.want)
				}
				if ce.Problem != tc.want || ce.Seq != tc.seq {
					t.Errorf("VerifyWith(forged) = seq %d %q (%s); want seq %d %q", ce.Seq, ce.Problem, ce.Detail, tc.seq, tc.want)
				}
			})
		}
	}
}

func TestKeyedVerify(t *testing.T) {
	ctx := context.Background()
	key, other := testKey(t, 1), testKey(t, 2)
	s := openStore(t, "sqlite::memory:")
	cp := keyedTrail(t, s, key)

	rep, err := audit.VerifyWith(ctx, s, audit.VerifyOptions{})
	if err != nil || rep.Authenticated() || rep.Unchecked != 4 || rep.Plain != 2 || rep.FirstKeyed != 3 {
		t.Errorf("VerifyWith(no key) = %+v, %v; want 4 unchecked, 2 plain, first keyed 3, not authenticated", rep, err)
	}
	if rep.Head.Seq != 6 || rep.Head.Hash != cp.Hash {
		t.Errorf("VerifyWith head = %+v, want seq 6 hash %s", rep.Head, cp.Hash)
	}

	var ce *audit.ChainError
	_, err = audit.VerifyWith(ctx, s, audit.VerifyOptions{Keys: []*audit.Key{other}})
	if !errors.As(err, &ce) || ce.Problem != audit.ProblemUnknownKey || ce.Seq != 3 {
		t.Errorf("VerifyWith(another key) = %v, want unknown key at seq 3", err)
	}
	forged := cp
	forged.Seq, forged.Hash = 9, strings.Repeat("f", 64)
	_, err = audit.VerifyWith(ctx, s, audit.VerifyOptions{Keys: []*audit.Key{key}, Checkpoints: []audit.Checkpoint{forged}})
	if !errors.As(err, &ce) || ce.Problem != audit.ProblemCheckpoint {
		t.Errorf("VerifyWith(forged checkpoint) = %v, want a checkpoint problem", err)
	}
	// Without the key a checkpoint's MAC cannot be checked, but it still
	// shows the cut.
	_, err = audit.VerifyWith(ctx, s, audit.VerifyOptions{Checkpoints: []audit.Checkpoint{forged}})
	if !errors.As(err, &ce) || ce.Problem != audit.ProblemTruncated {
		t.Errorf("VerifyWith(no key, checkpoint past the end) = %v, want truncated", err)
	}

	// A plain log stays verifiable without a key; with a key it is not
	// accepted, since stripping every key gives one.
	p := openStore(t, "sqlite::memory:")
	appendAll(t, p)
	if rep, err := audit.VerifyWith(ctx, p, audit.VerifyOptions{}); err != nil || rep.Plain != len(entries) || rep.Authenticated() {
		t.Errorf("VerifyWith(plain log) = %+v, %v; want every record plain, nil", rep, err)
	}
	if _, err := audit.VerifyWith(ctx, p, audit.VerifyOptions{Keys: []*audit.Key{key}}); !errors.As(err, &ce) || ce.Problem != audit.ProblemUnkeyed {
		t.Errorf("VerifyWith(plain log, key) = %v, want unkeyed", err)
	}
	if rep, err := audit.VerifyWith(ctx, openStore(t, "sqlite::memory:"), audit.VerifyOptions{Keys: []*audit.Key{key}}); err != nil || rep.Records != 0 {
		t.Errorf("VerifyWith(empty log, key) = %+v, %v; want 0 records, nil", rep, err)
	}
}

func TestKeyedStart(t *testing.T) {
	ctx := context.Background()
	key, next := testKey(t, 1), testKey(t, 2)
	s := openStore(t, "sqlite::memory:")
	l := audit.NewKeyed(s, stepClock(), key)
	if rec, err := l.Start(ctx); err != nil || rec == nil || rec.Seq != 1 || rec.KeyID != key.ID() {
		t.Fatalf("Start(empty log) = %+v, %v; want a key record at seq 1", rec, err)
	}
	if rec, err := l.Start(ctx); err != nil || rec != nil {
		t.Errorf("Start(again) = %+v, %v; want nothing written", rec, err)
	}
	if _, err := l.Append(ctx, entries[0]); err != nil {
		t.Fatal(err)
	}

	plain := audit.New(s, stepClock())
	if _, err := plain.Start(ctx); !errors.Is(err, audit.ErrKeyRequired) {
		t.Errorf("Start(no key, keyed log) = %v, want ErrKeyRequired", err)
	}
	if _, err := plain.Append(ctx, entries[0]); !errors.Is(err, audit.ErrKeyRequired) {
		t.Errorf("Append(no key, keyed log) = %v, want ErrKeyRequired", err)
	}

	// A new key: its records start with a key record naming the old one,
	// and verifying takes both keys.
	rotated := audit.NewKeyed(s, stepClock(), next)
	rec, err := rotated.Start(ctx)
	if err != nil || rec == nil || !strings.Contains(string(rec.Data), key.ID()) {
		t.Fatalf("Start(new key) = %+v, %v; want a key record naming %s", rec, err, key.ID())
	}
	if rep, err := audit.VerifyWith(ctx, s, audit.VerifyOptions{Keys: []*audit.Key{key, next}}); err != nil || rep.Keyed != 3 {
		t.Errorf("VerifyWith(both keys) = %+v, %v; want 3 keyed records", rep, err)
	}
	var ce *audit.ChainError
	if _, err := audit.VerifyWith(ctx, s, audit.VerifyOptions{Keys: []*audit.Key{next}}); !errors.As(err, &ce) || ce.Problem != audit.ProblemUnknownKey {
		t.Errorf("VerifyWith(new key only) = %v, want unknown key", err)
	}
}

func TestNewKeyRejectsShortKeys(t *testing.T) {
	if _, err := audit.NewKey(make([]byte, audit.MinKeySize-1)); err == nil {
		t.Error("NewKey(31 bytes) = nil error, want an error")
	}
	k := testKey(t, 7)
	if got := k.String(); strings.Contains(got, "\x07") || !strings.Contains(got, k.ID()) {
		t.Errorf("Key.String() = %q, want the id and no secret", got)
	}
}

func TestReadCheckpoints(t *testing.T) {
	in := `{"time":"2026-11-25T10:00:00Z","level":"INFO","msg":"zgate serving"}
not json at all
{"time":"2026-11-25T10:01:00Z","level":"INFO","msg":"audit checkpoint","checkpoint":{"seq":4,"hash":"aa","time":"2026-11-25T10:00:59Z","key_id":"k","mac":"m"}}
{"seq":7,"hash":"bb","time":"2026-11-25T10:02:00Z"}
`
	got, err := audit.ReadCheckpoints(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Seq != 4 || got[0].Hash != "aa" || got[0].MAC != "m" || got[1].Seq != 7 || got[1].Hash != "bb" {
		t.Errorf("ReadCheckpoints() = %+v, want seq 4 (from the log line) and seq 7", got)
	}
}
