package facts

import (
	"context"
	"crypto/sha256"
	"hash"
	"strconv"
	"sync"
	"time"
)

// ListMemo keeps, per pull request, what the two lists that change only
// with the pull request itself said: the base changes of its timeline
// (issue 7's retarget rule) and its commits (the pushers of earlier
// commits). Both are functions of the pull request's history, and every
// change to them (a push moves head.sha; a retarget, even away and back,
// moves base.ref and updated_at) changes the pull request's answer. So a
// Gather whose pull request and changed files answer byte for byte as
// they did when the lists were last read takes the lists' results from
// here instead of reading them again (two calls of a review event, 304s
// or not).
//
// An entry is kept only when the pull request's updated_at is more than
// [baseSettle] older than the read: GitHub dates in whole seconds, so a
// retarget away and back within the second of the previous update would
// leave the answer unchanged; past that second (and the clocks' skew) it
// cannot. A [Fresh] context, the read before a Z, reads every list. Safe
// for concurrent use; a nil *ListMemo keeps nothing.
type ListMemo struct {
	mu      sync.Mutex
	max     int
	entries map[string]memoEntry
}

type memoEntry struct {
	// answers hashes the pull request's and its files' answers.
	answers [sha256.Size]byte
	// baseChanged is baseChangedAt's result.
	baseChanged *time.Time
	// commits are the pull request's commits; nil when not read.
	commits []string
}

// DefaultListMemoEntries bounds a [ListMemo]: an entry (about 100 bytes
// plus 40 per commit) per open pull request.
const DefaultListMemoEntries = 8192

// NewListMemo returns a memo of at most max pull requests
// ([DefaultListMemoEntries] when max <= 0).
func NewListMemo(max int) *ListMemo {
	if max <= 0 {
		max = DefaultListMemoEntries
	}
	return &ListMemo{max: max, entries: map[string]memoEntry{}}
}

func (m *ListMemo) get(key string, answers [sha256.Size]byte) (memoEntry, bool) {
	if m == nil {
		return memoEntry{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	return e, ok && e.answers == answers
}

// latest returns key's entry whatever the answers it was kept for: a
// cheap Gather's best guess (see [Hints]).
func (m *ListMemo) latest(key string) (memoEntry, bool) {
	if m == nil {
		return memoEntry{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	return e, ok
}

func (m *ListMemo) put(key string, e memoEntry) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[key]; !ok && len(m.entries) >= m.max {
		for k := range m.entries { // evict one at random: closed pull requests age out
			delete(m.entries, k)
			break
		}
	}
	m.entries[key] = e
}

// Len returns the number of pull requests kept.
func (m *ListMemo) Len() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func memoKey(owner, repo string, number int) string {
	return owner + "/" + repo + "#" + strconv.Itoa(number)
}

// answerTrail hashes the answers of one Gather's reads that the memo is
// keyed on, in order. A nil *answerTrail records nothing. Not safe for
// concurrent use: the pull request, then its files pages, are read one
// after the other.
type answerTrail struct{ h hash.Hash }

func newAnswerTrail() *answerTrail { return &answerTrail{h: sha256.New()} }

func (t *answerTrail) add(url string, sum [sha256.Size]byte) {
	if t == nil {
		return
	}
	t.h.Write([]byte(url))
	t.h.Write([]byte{0})
	t.h.Write(sum[:])
}

func (t *answerTrail) sum() (out [sha256.Size]byte) {
	copy(out[:], t.h.Sum(nil))
	return out
}

// commitSlot carries the pull request's commits between Gather and its
// [PushSource]: cached when the memo had them, fresh when read now.
type commitSlot struct {
	cached, fresh []string
}

type commitSlotKey struct{}

type freshKey struct{}

// Fresh returns ctx marked so that Gather reads every list, the memo
// notwithstanding: the read immediately before a Z.
func Fresh(ctx context.Context) context.Context {
	return context.WithValue(ctx, freshKey{}, true)
}

func isFresh(ctx context.Context) bool {
	v, _ := ctx.Value(freshKey{}).(bool)
	return v
}

// prCommitsVia lists the pull request's commits, or takes them from the
// memo Gather put in ctx; read afresh, they are left there for the memo.
func prCommitsVia(ctx context.Context, list func() ([]string, error)) ([]string, error) {
	slot, _ := ctx.Value(commitSlotKey{}).(*commitSlot)
	if slot != nil && slot.cached != nil {
		return slot.cached, nil
	}
	all, err := list()
	if err == nil && slot != nil {
		slot.fresh = all
	}
	return all, err
}
