package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/zgate-dev/zgate/app/store"
)

// pageSize is how many records Verify and Export read at once.
const pageSize = 500

// ErrChainBroken is matched (errors.Is) by every [*ChainError].
var ErrChainBroken = errors.New("audit chain broken")

// Problem says how a record breaks the chain.
type Problem string

const (
	ProblemGap        Problem = "gap"         // a seq is missing (deleted or reordered rows)
	ProblemBrokenLink Problem = "broken link" // prev_hash is not the previous record's hash
	ProblemBadHash    Problem = "bad hash"    // the record was changed after it was written
	ProblemBadMAC     Problem = "bad mac"     // a keyed record's MAC does not match under its key
	ProblemUnknownKey Problem = "unknown key" // a record names a key that was not given
	ProblemUnkeyed    Problem = "unkeyed"     // a plain record where only keyed ones can be
	ProblemTruncated  Problem = "truncated"   // the log ends before a checkpoint's record
	ProblemCheckpoint Problem = "checkpoint"  // a record differs from its checkpoint, or a checkpoint is forged
)

// ChainError names the first record that breaks the chain.
type ChainError struct {
	Seq     int64
	Problem Problem
	Detail  string
}

// Reason is the problem and detail, for "audit log BROKEN at seq N: reason".
func (e *ChainError) Reason() string { return string(e.Problem) + ": " + e.Detail }

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d: %s", e.Seq, e.Reason())
}

// Is makes errors.Is(err, ErrChainBroken) true.
func (e *ChainError) Is(target error) bool { return target == ErrChainBroken }

// VerifyOptions are what [VerifyWith] checks the log against, besides the
// chain itself.
type VerifyOptions struct {
	// Keys are every key the log was written with. When any is given, every
	// keyed record must carry a valid MAC under its key, the log (unless
	// empty) must hold a keyed record, and no plain record may follow a
	// keyed one: a database writer can neither forge records nor turn
	// keyed ones back into plain ones.
	Keys []*Key
	// Checkpoints are records known from outside the database: each must
	// be in the log with the same hash, which detects records cut off the
	// end. With Keys, a checkpoint's MAC must match too.
	Checkpoints []Checkpoint
}

// Report is what [VerifyWith] checked.
type Report struct {
	Records int // records read
	// Keyed records had their MAC checked under a given key.
	Keyed int
	// Unchecked keyed records could not have their MAC checked: no key was
	// given. Only their order and links were checked.
	Unchecked int
	// Plain records have a plain SHA-256 hash, which anyone can recompute.
	// Those before a checked keyed record are anchored by its MAC.
	Plain int
	// FirstKeyed is the seq of the first keyed record, 0 when none.
	FirstKeyed int64
	// Checkpoints is how many checkpoints were matched.
	Checkpoints int
	// Head is the last record (zero for an empty log): keep it outside the
	// database to detect truncation next time.
	Head Checkpoint
}

// Authenticated reports whether every record is covered by a checked MAC:
// the log could not have been rewritten without the key (up to its last
// record: see Checkpoints for truncation).
func (r Report) Authenticated() bool {
	return r.Unchecked == 0 && r.Keyed > 0 && r.Records > 0
}

// Verify walks the whole chain, oldest first, without keys or checkpoints,
// and returns how many records it checked. See [VerifyWith].
func Verify(ctx context.Context, s *store.Store) (records int, err error) {
	rep, err := VerifyWith(ctx, s, VerifyOptions{})
	return rep.Records, err
}

// VerifyWith walks the whole chain, oldest first, checking every record's
// seq, link and hash (its MAC, for a keyed record whose key is given) and
// the options. A broken chain gives a *ChainError for the first bad record;
// other errors are the store's. Without keys, keyed records are counted as
// Unchecked and plain ones are checked as far as anyone could forge them.
func VerifyWith(ctx context.Context, s *store.Store, o VerifyOptions) (Report, error) {
	v := &verifier{keys: newKeyring(o.Keys), checkpoints: map[int64]Checkpoint{}}
	for _, c := range o.Checkpoints {
		if err := v.addCheckpoint(c); err != nil {
			return v.rep, err
		}
	}
	var last *store.AuditRecord
	var after int64
	for {
		page, err := s.AuditRecords(ctx, after, pageSize)
		if err != nil {
			return v.rep, fmt.Errorf("verify audit: %w", err)
		}
		for i := range page {
			if err := v.check(last, page[i]); err != nil {
				return v.rep, err
			}
			last = &page[i]
			v.rep.Records++
		}
		if len(page) < pageSize {
			break
		}
		after = page[len(page)-1].Seq
	}
	return v.rep, v.finish(last)
}

type verifier struct {
	keys        keyring
	checkpoints map[int64]Checkpoint
	rep         Report
}

// addCheckpoint checks c's MAC when keys are given and keeps it.
func (v *verifier) addCheckpoint(c Checkpoint) error {
	if len(v.keys) > 0 {
		k := v.keys[c.KeyID]
		if k == nil || c.MAC != k.checkpointMAC(c) {
			return &ChainError{Seq: c.Seq, Problem: ProblemCheckpoint,
				Detail: fmt.Sprintf("the checkpoint of seq %d (key %q) does not match the given keys: forged or from another log", c.Seq, c.KeyID)}
		}
	}
	if prev, ok := v.checkpoints[c.Seq]; ok && prev.Hash != c.Hash {
		return &ChainError{Seq: c.Seq, Problem: ProblemCheckpoint,
			Detail: fmt.Sprintf("two checkpoints of seq %d disagree: %s and %s", c.Seq, prev.Hash, c.Hash)}
	}
	v.checkpoints[c.Seq] = c
	return nil
}

// check tests r against the record before it (nil for the first).
func (v *verifier) check(last *store.AuditRecord, r store.AuditRecord) error {
	wantSeq, wantPrev := int64(1), GenesisHash
	if last != nil {
		wantSeq, wantPrev = last.Seq+1, last.Hash
	}
	if r.Seq != wantSeq {
		return &ChainError{Seq: r.Seq, Problem: ProblemGap, Detail: fmt.Sprintf("expected seq %d", wantSeq)}
	}
	if r.PrevHash != wantPrev {
		return &ChainError{Seq: r.Seq, Problem: ProblemBrokenLink,
			Detail: fmt.Sprintf("prev_hash %s, previous record's hash is %s", r.PrevHash, wantPrev)}
	}
	switch {
	case r.KeyID == "" && v.rep.FirstKeyed != 0:
		return &ChainError{Seq: r.Seq, Problem: ProblemUnkeyed,
			Detail: fmt.Sprintf("a plain record after keyed record %d: zgate never writes one (keys were stripped)", v.rep.FirstKeyed)}
	case r.KeyID == "":
		if h := Hash(r); h != r.Hash {
			return &ChainError{Seq: r.Seq, Problem: ProblemBadHash,
				Detail: fmt.Sprintf("stored hash %s, contents hash to %s", r.Hash, h)}
		}
		v.rep.Plain++
	default:
		if v.rep.FirstKeyed == 0 {
			v.rep.FirstKeyed = r.Seq
		}
		if len(v.keys) == 0 {
			v.rep.Unchecked++
			break
		}
		k := v.keys[r.KeyID]
		if k == nil {
			return &ChainError{Seq: r.Seq, Problem: ProblemUnknownKey,
				Detail: fmt.Sprintf("written with key %s, which was not given", r.KeyID)}
		}
		if !k.valid(r) {
			return &ChainError{Seq: r.Seq, Problem: ProblemBadMAC,
				Detail: fmt.Sprintf("the MAC does not match the contents under key %s: the record was rewritten", r.KeyID)}
		}
		v.rep.Keyed++
	}
	if c, ok := v.checkpoints[r.Seq]; ok {
		if c.Hash != r.Hash {
			return &ChainError{Seq: r.Seq, Problem: ProblemCheckpoint,
				Detail: fmt.Sprintf("hash %s, the checkpoint of %s says %s", r.Hash, c.Time.Format("2006-01-02T15:04:05Z07:00"), c.Hash)}
		}
		v.rep.Checkpoints++
	}
	v.rep.Head = Checkpoint{Seq: r.Seq, Hash: r.Hash, Time: r.Time, KeyID: r.KeyID}
	return nil
}

// finish checks what only the end of the log can show.
func (v *verifier) finish(last *store.AuditRecord) error {
	end := int64(0)
	if last != nil {
		end = last.Seq
	}
	var beyond *Checkpoint
	for _, c := range v.checkpoints {
		if c.Seq > end && (beyond == nil || c.Seq > beyond.Seq) {
			beyond = &c
		}
	}
	if beyond != nil {
		return &ChainError{Seq: beyond.Seq, Problem: ProblemTruncated,
			Detail: fmt.Sprintf("the log ends at seq %d, but a checkpoint of %s records seq %d: records were cut off the end",
				end, beyond.Time.Format("2006-01-02T15:04:05Z07:00"), beyond.Seq)}
	}
	if len(v.keys) > 0 && last != nil && v.rep.FirstKeyed == 0 {
		return &ChainError{Seq: end, Problem: ProblemUnkeyed,
			Detail: "no record is keyed, but keys were given: zgate serve with a key writes a keyed record at start, so the log was rewritten without keys (or verify the log without --key-file)"}
	}
	return nil
}
