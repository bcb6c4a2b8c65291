package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/store"
)

func testDeliveries(t *testing.T, s *store.Store) {
	ctx := t.Context()
	for _, step := range []struct {
		id   string
		at   time.Time
		want bool
	}{
		{"d1", t0, true},
		{"d2", t0.Add(time.Hour), true},
		{"d1", t0.Add(2 * time.Hour), false},
	} {
		got, err := s.RecordDelivery(ctx, step.id, "pull_request", step.at)
		if err != nil || got != step.want {
			t.Fatalf("RecordDelivery(%q) = %v, %v; want %v, nil", step.id, got, err, step.want)
		}
	}
	if _, err := s.RecordDelivery(ctx, "", "push", t0); err == nil {
		t.Errorf("RecordDelivery(\"\") = nil error, want an error")
	}
	n, err := s.PruneDeliveries(ctx, t0.Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("PruneDeliveries() = %d, %v; want 1, nil", n, err)
	}
	got, err := s.RecordDelivery(ctx, "d1", "pull_request", t0)
	if err != nil || !got {
		t.Errorf("RecordDelivery(d1) after prune = %v, %v; want true, nil", got, err)
	}
}

func testExecutions(t *testing.T, s *store.Store) {
	ctx := t.Context()
	e := store.Execution{Key: key(7), Gate: "prod", HeadSHA: "abc", Kind: "merge", Created: t0}
	got, created, err := s.BeginExecution(ctx, e)
	if err != nil || !created {
		t.Fatalf("BeginExecution() = %v, %v; want created", created, err)
	}
	if got.ID == "" || got.Status != store.ExecIntent || !got.Updated.Equal(t0) {
		t.Errorf("BeginExecution() = %+v, want an id, status intent, updated %v", got, t0)
	}
	again, created, err := s.BeginExecution(ctx, store.Execution{Key: key(7), Gate: "prod", HeadSHA: "abc", Kind: "merge", Created: t0.Add(time.Hour)})
	if err != nil || created {
		t.Fatalf("second BeginExecution() = %v, %v; want not created", created, err)
	}
	if diff := cmp.Diff(again, got); diff != "" {
		t.Errorf("second BeginExecution() mismatch (-got +want):\n%s", diff)
	}
	other, created, err := s.BeginExecution(ctx, store.Execution{Key: key(7), Gate: "prod", HeadSHA: "def", Kind: "dispatch", ID: "given-id", Created: t0.Add(time.Second)})
	if err != nil || !created || other.ID != "given-id" {
		t.Fatalf("BeginExecution(new head) = %+v, %v, %v; want created with id given-id", other, created, err)
	}
	if err := s.FinishExecution(ctx, got.ID, store.ExecDone, "merged as 123", t0.Add(time.Minute)); err != nil {
		t.Fatalf("FinishExecution() = %v", err)
	}
	if err := s.FinishExecution(ctx, "nope", store.ExecDone, "", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishExecution(unknown id) = %v, want ErrNotFound", err)
	}
	if err := s.FinishExecution(ctx, got.ID, "bogus", "", t0); err == nil {
		t.Errorf("FinishExecution(bogus status) = nil, want an error")
	}
	if _, _, err := s.BeginExecution(ctx, store.Execution{Key: key(7), Gate: "prod"}); err == nil {
		t.Errorf("BeginExecution(no head SHA) = nil error, want an error")
	}
	done := got
	done.Status, done.Detail, done.Updated = store.ExecDone, "merged as 123", t0.Add(time.Minute)
	byID, err := s.Execution(ctx, got.ID)
	if err != nil {
		t.Fatalf("Execution(id) = %v", err)
	}
	if diff := cmp.Diff(byID, done); diff != "" {
		t.Errorf("Execution(id) mismatch (-got +want):\n%s", diff)
	}
	if _, err := s.Execution(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Execution(unknown) = %v, want ErrNotFound", err)
	}
	for _, tc := range []struct {
		status store.ExecutionStatus
		want   []store.Execution
	}{
		{"", []store.Execution{done, other}},
		{store.ExecDone, []store.Execution{done}},
		{store.ExecIntent, []store.Execution{other}},
		{store.ExecUnknown, nil},
	} {
		list, err := s.Executions(ctx, tc.status)
		if err != nil {
			t.Fatalf("Executions(%q) = %v", tc.status, err)
		}
		if diff := cmp.Diff(list, tc.want); diff != "" {
			t.Errorf("Executions(%q) mismatch (-got +want):\n%s", tc.status, diff)
		}
	}
}

func testConcurrentBeginExecution(t *testing.T, s *store.Store) {
	const n = 16
	ctx := t.Context()
	var wg sync.WaitGroup
	results := make([]store.Execution, n)
	createdBy := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			results[i], createdBy[i], errs[i] = s.BeginExecution(ctx,
				store.Execution{Key: key(1), Gate: "prod", HeadSHA: "abc", Kind: "dispatch", Created: t0})
		})
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("BeginExecution() #%d = %v", i, errs[i])
		}
		if createdBy[i] {
			created++
		}
		if results[i].ID != results[0].ID {
			t.Errorf("BeginExecution() #%d id = %q, want %q", i, results[i].ID, results[0].ID)
		}
	}
	if created != 1 {
		t.Errorf("%d BeginExecution calls created, want exactly 1", created)
	}
}

func testCheckFingerprints(t *testing.T, s *store.Store) {
	ctx := t.Context()
	if _, _, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CheckFingerprint(missing) = %v, want ErrNotFound", err)
	}
	for _, step := range []struct {
		id int64
		fp string
	}{{11, "fp1"}, {11, "fp2"}, {12, "fp3"}} {
		if err := s.SetCheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod", step.id, step.fp); err != nil {
			t.Fatalf("SetCheckFingerprint() = %v", err)
		}
		id, fp, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod")
		if err != nil || id != step.id || fp != step.fp {
			t.Errorf("CheckFingerprint() = %d, %q, %v; want %d, %q, nil", id, fp, err, step.id, step.fp)
		}
	}
	if _, _, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CheckFingerprint(other check) = %v, want ErrNotFound", err)
	}
}

func link(last *store.AuditRecord, at time.Time, data string) store.AuditRecord {
	r := store.AuditRecord{Seq: 1, Time: at, Kind: "decision", Repo: "acme/payments", PR: 7,
		Gate: "prod", HeadSHA: "abc", Data: []byte(data), PrevHash: "genesis"}
	if last != nil {
		r.Seq, r.PrevHash = last.Seq+1, last.Hash
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%d|%s|%s", r.Seq, r.PrevHash, r.Data))
	r.Hash = hex.EncodeToString(sum[:])
	return r
}

func testAuditAppend(t *testing.T, s *store.Store) {
	ctx := t.Context()
	var want []store.AuditRecord
	for i := range 5 {
		var sawLast *store.AuditRecord
		rec, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
			sawLast = last
			return link(last, t0.Add(time.Duration(i)*time.Second), fmt.Sprintf(`{"i":%d}`, i)), nil
		})
		if err != nil {
			t.Fatalf("AppendAudit() #%d = %v", i, err)
		}
		if i == 0 && sawLast != nil {
			t.Errorf("first AppendAudit build saw last %+v, want nil", sawLast)
		}
		if i > 0 && (sawLast == nil || cmp.Diff(*sawLast, want[i-1]) != "") {
			t.Errorf("AppendAudit #%d build saw last %+v, want %+v", i, sawLast, want[i-1])
		}
		want = append(want, rec)
	}
	for _, tc := range []struct {
		name         string
		after, limit int
		want         []store.AuditRecord
	}{
		{"all", 0, 100, want},
		{"first page", 0, 2, want[:2]},
		{"middle page", 2, 2, want[2:4]},
		{"past the end", 5, 10, nil},
	} {
		got, err := s.AuditRecords(ctx, int64(tc.after), tc.limit)
		if err != nil {
			t.Fatalf("%s: AuditRecords() = %v", tc.name, err)
		}
		if diff := cmp.Diff(got, tc.want); diff != "" {
			t.Errorf("%s: AuditRecords() mismatch (-got +want):\n%s", tc.name, diff)
		}
	}
	if _, err := s.AuditRecords(ctx, 0, 0); err == nil {
		t.Errorf("AuditRecords(limit 0) = nil error, want an error")
	}
}

func testAuditRejects(t *testing.T, s *store.Store) {
	ctx := t.Context()
	if _, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
		return link(last, t0, "{}"), nil
	}); err != nil {
		t.Fatalf("AppendAudit() = %v", err)
	}
	boom := errors.New("boom")
	for _, tc := range []struct {
		name   string
		mangle func(r store.AuditRecord) (store.AuditRecord, error)
	}{
		{"seq gap", func(r store.AuditRecord) (store.AuditRecord, error) { r.Seq++; return r, nil }},
		{"seq repeat", func(r store.AuditRecord) (store.AuditRecord, error) { r.Seq--; return r, nil }},
		{"wrong prev hash", func(r store.AuditRecord) (store.AuditRecord, error) { r.PrevHash = "x"; return r, nil }},
		{"no hash", func(r store.AuditRecord) (store.AuditRecord, error) { r.Hash = ""; return r, nil }},
		{"sub-microsecond time", func(r store.AuditRecord) (store.AuditRecord, error) { r.Time = r.Time.Add(1); return r, nil }},
		{"build error", func(r store.AuditRecord) (store.AuditRecord, error) { return r, boom }},
	} {
		_, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
			return tc.mangle(link(last, t0, "{}"))
		})
		if err == nil {
			t.Errorf("%s: AppendAudit() = nil error, want an error", tc.name)
		}
	}
	got, err := s.AuditRecords(ctx, 0, 10)
	if err != nil || len(got) != 1 {
		t.Errorf("AuditRecords() = %d records, %v; want 1 record", len(got), err)
	}
}

func testAuditConcurrent(t *testing.T, s *store.Store) {
	const workers, each = 8, 15
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				_, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
					return link(last, t0, fmt.Sprintf(`{"w":%d,"i":%d}`, w, i)), nil
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("AppendAudit() = %v", err)
	}
	recs, err := s.AuditRecords(ctx, 0, 10*workers*each)
	if err != nil {
		t.Fatalf("AuditRecords() = %v", err)
	}
	if len(recs) != workers*each {
		t.Fatalf("AuditRecords() = %d records, want %d", len(recs), workers*each)
	}
	prev := "genesis"
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.PrevHash != prev {
			t.Fatalf("record %d: seq %d prev %q, want seq %d prev %q (chain forked or has a gap)", i, r.Seq, r.PrevHash, i+1, prev)
		}
		prev = r.Hash
	}
}

// testCheckRunStates: the status written on a check run is kept with its
// id and fingerprint, and a write through SetCheckFingerprint (which does
// not know it) makes it unknown again rather than leaving a stale one.
func testCheckRunStates(t *testing.T, s *store.Store) {
	ctx := t.Context()
	if _, err := s.CheckRun(ctx, "acme", "payments", "abc", "zgate/prod"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CheckRun(missing) = %v, want ErrNotFound", err)
	}
	for _, want := range []store.CheckRunState{
		{RunID: 11, Fingerprint: "fp1", Status: "in_progress"},
		{RunID: 11, Fingerprint: "fp2", Status: "completed"},
		{RunID: 12, Fingerprint: "fp3", Status: "in_progress"},
	} {
		if err := s.SetCheckRun(ctx, "acme", "payments", "abc", "zgate/prod", want); err != nil {
			t.Fatalf("SetCheckRun() = %v", err)
		}
		got, err := s.CheckRun(ctx, "acme", "payments", "abc", "zgate/prod")
		if err != nil || got != want {
			t.Errorf("CheckRun() = %+v, %v; want %+v, nil", got, err, want)
		}
	}
	if err := s.SetCheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod", 13, "fp4"); err != nil {
		t.Fatalf("SetCheckFingerprint() = %v", err)
	}
	got, err := s.CheckRun(ctx, "acme", "payments", "abc", "zgate/prod")
	if want := (store.CheckRunState{RunID: 13, Fingerprint: "fp4"}); err != nil || got != want {
		t.Errorf("CheckRun() after SetCheckFingerprint = %+v, %v; want %+v (status unknown)", got, err, want)
	}
	if _, err := s.CheckRun(ctx, "acme", "payments", "abc", "zgate/other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CheckRun(other check) = %v, want ErrNotFound", err)
	}
}

// testStatusNotices: each notice moves a commit's count, and only that
// commit's.
func testStatusNotices(t *testing.T, s *store.Store) {
	ctx := t.Context()
	seq := func(sha string) int64 {
		t.Helper()
		n, err := s.StatusNotice(ctx, "acme", "payments", sha)
		if err != nil {
			t.Fatalf("StatusNotice(%s) = %v", sha, err)
		}
		return n
	}
	if n := seq("abc"); n != 0 {
		t.Fatalf("StatusNotice(never noted) = %d, want 0", n)
	}
	for want := int64(1); want <= 3; want++ {
		if err := s.NoteStatus(ctx, "acme", "payments", "abc"); err != nil {
			t.Fatalf("NoteStatus() = %v", err)
		}
		if n := seq("abc"); n != want {
			t.Errorf("StatusNotice after %d notes = %d", want, n)
		}
	}
	if n := seq("def"); n != 0 {
		t.Errorf("StatusNotice(other commit) = %d, want 0", n)
	}
}
