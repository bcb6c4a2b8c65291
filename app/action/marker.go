package action

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// Marker words: the first word of a marker status's description, followed
// by the execution id.
const (
	WordDispatched = "dispatched" // pending: intent; success: done
	WordUnknown    = "unknown"    // error: a person must check
	WordFailed     = "failed"     // failure: GitHub refused; may retry
	WordConfirmed  = "confirmed"  // success: a person settled an unknown one
)

// MarkerContext is the context of the marker status that records the Z of
// gate on a head SHA.
func MarkerContext(gate string) string { return policy.CheckPrefix + gate + "/z" }

// isMarker reports whether a status context is a marker, not a gate. A
// gate's per-base status for a branch ending in "/z" ("zgate/prod:
// feature/z") is not one: gate names hold no ':'.
func isMarker(context string) bool {
	return strings.HasPrefix(context, policy.CheckPrefix) && strings.HasSuffix(context, "/z") && !strings.Contains(context, ": ")
}

// ParseMarker reads a marker status: the execution status it records and
// the execution id. A marker it does not understand reads as unknown (with
// the id when one can be found), so that nothing is dispatched on a guess.
func ParseMarker(s Status) (status store.ExecutionStatus, id string) {
	fields := strings.Fields(s.Description)
	if len(fields) >= 2 {
		id = strings.TrimRight(fields[1], ":;,.")
	}
	if id == "" || !validID(id) {
		return store.ExecUnknown, ""
	}
	switch {
	case fields[0] == WordDispatched && s.State == StatePending:
		return store.ExecIntent, id
	case fields[0] == WordDispatched && s.State == StateSuccess:
		return store.ExecDone, id
	case fields[0] == WordConfirmed && s.State == StateSuccess:
		return store.ExecConfirmed, id
	case fields[0] == WordFailed && s.State == StateFailure:
		return store.ExecFailed, id
	}
	return store.ExecUnknown, id
}

// markerStatus renders the marker of an execution.
func markerStatus(gate string, status store.ExecutionStatus, id string) Status {
	s := Status{Context: MarkerContext(gate)}
	switch status {
	case store.ExecIntent:
		s.State, s.Description = StatePending, WordDispatched+" "+id
	case store.ExecDone:
		s.State, s.Description = StateSuccess, WordDispatched+" "+id
	case store.ExecConfirmed:
		s.State, s.Description = StateSuccess, WordConfirmed+" "+id
	case store.ExecFailed:
		s.State, s.Description = StateFailure, WordFailed+" "+id+": GitHub refused; zgate may try again"
	default:
		s.State, s.Description = StateError, WordUnknown+" "+id+": check whether it ran, then set success \"confirmed "+id+"\""
	}
	s.Description = report.OneLine(s.Description, MaxDescription)
	return s
}

// validID reports whether id is a plausible execution id.
func validID(id string) bool {
	if len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// randomID is the default execution id.
func randomID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random execution id: %w", err)
	}
	return "zg-" + hex.EncodeToString(b[:]), nil
}

// errRace means another run wrote the marker at the same time.
var errRace = errors.New("another zgate run is dispatching this gate at the same time; serialise runs with a concurrency group")

// markerStore is act.ExecStore backed by marker statuses on the head SHA.
// A merge needs no marker (the pull request's merged state is the record),
// so merges are kept in memory for this run only.
type markerStore struct {
	gh          *github.Client
	owner, repo string
	targetURL   string
	newID       func() (string, error)

	mu    sync.Mutex
	execs map[string]store.Execution
}

func newMarkerStore(gh *github.Client, owner, repo, targetURL string, newID func() (string, error)) *markerStore {
	if newID == nil {
		newID = randomID
	}
	return &markerStore{gh: gh, owner: owner, repo: repo, targetURL: targetURL, newID: newID, execs: map[string]store.Execution{}}
}

// BeginExecution implements act.ExecStore: an existing marker is returned
// as stored; otherwise the pending marker is written first.
func (m *markerStore) BeginExecution(ctx context.Context, e store.Execution) (store.Execution, bool, error) {
	if e.Kind == string(policy.ActionMerge) {
		e.ID = "merge-" + e.HeadSHA
		m.remember(e)
		return e, true, nil
	}
	cur, err := statuses(ctx, m.gh, m.owner, m.repo, e.HeadSHA)
	if err != nil {
		return store.Execution{}, false, err
	}
	if st, ok := cur[MarkerContext(e.Gate)]; ok {
		e.Status, e.ID = ParseMarker(st)
		e.Detail = "marker " + st.State + ": " + st.Description
		if e.ID == "" {
			e.ID = "unrecognised-marker"
		}
		m.remember(e)
		return e, false, nil
	}
	if e.ID, err = m.newID(); err != nil {
		return store.Execution{}, false, err
	}
	if !validID(e.ID) {
		return store.Execution{}, false, fmt.Errorf("execution id %q: want letters, digits, '-', '_' or '.'", e.ID)
	}
	e.Status = store.ExecIntent
	if err := writeStatus(ctx, m.gh, m.owner, m.repo, e.HeadSHA, m.targetURL, markerStatus(e.Gate, e.Status, e.ID)); err != nil {
		return store.Execution{}, false, fmt.Errorf("record the dispatch intent: %w", err)
	}
	// Statuses have no compare-and-swap: read back, and back off when
	// another run's marker is the newest.
	cur, err = statuses(ctx, m.gh, m.owner, m.repo, e.HeadSHA)
	if err != nil {
		return store.Execution{}, false, err
	}
	if _, id := ParseMarker(cur[MarkerContext(e.Gate)]); id != e.ID {
		return store.Execution{}, false, errRace
	}
	m.remember(e)
	return e, true, nil
}

// FinishExecution implements act.ExecStore: it rewrites the marker.
func (m *markerStore) FinishExecution(ctx context.Context, id string, status store.ExecutionStatus, detail string, at time.Time) error {
	m.mu.Lock()
	e, ok := m.execs[id]
	m.mu.Unlock()
	if !ok {
		return fmt.Errorf("finish execution %s: not begun in this run", id)
	}
	e.Status, e.Detail, e.Updated = status, detail, at
	if e.Kind != string(policy.ActionMerge) {
		if err := writeStatus(ctx, m.gh, m.owner, m.repo, e.HeadSHA, m.targetURL, markerStatus(e.Gate, status, id)); err != nil {
			return fmt.Errorf("record the dispatch outcome %s: %w", status, err)
		}
	}
	m.remember(e)
	return nil
}

func (m *markerStore) remember(e store.Execution) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.execs[e.ID] = e
}

// existing reads the execution a marker in cur records for gate, nil when
// there is none.
func existing(cur map[string]Status, gate, headSHA, kind string) *store.Execution {
	st, ok := cur[MarkerContext(gate)]
	if !ok {
		return nil
	}
	status, id := ParseMarker(st)
	return &store.Execution{ID: id, Gate: gate, HeadSHA: headSHA, Kind: kind, Status: status, Detail: "marker " + st.State + ": " + st.Description}
}
