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

// Verify walks the whole chain, oldest first, and returns how many records
// it checked. A broken chain gives a *ChainError for the first bad record;
// other errors are the store's.
func Verify(ctx context.Context, s *store.Store) (records int, err error) {
	var last *store.AuditRecord
	var after int64
	for {
		page, err := s.AuditRecords(ctx, after, pageSize)
		if err != nil {
			return records, fmt.Errorf("verify audit: %w", err)
		}
		for i := range page {
			if err := check(last, page[i]); err != nil {
				return records, err
			}
			last = &page[i]
			records++
		}
		if len(page) < pageSize {
			return records, nil
		}
		after = page[len(page)-1].Seq
	}
}

// check tests r against the record before it (nil for the first).
func check(last *store.AuditRecord, r store.AuditRecord) error {
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
	if h := Hash(r); h != r.Hash {
		return &ChainError{Seq: r.Seq, Problem: ProblemBadHash,
			Detail: fmt.Sprintf("stored hash %s, contents hash to %s", r.Hash, h)}
	}
	return nil
}
