package action

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

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
// gate for base on a head SHA: "zgate/<gate>/z: <base>". The base is part
// of it because one head can be the head of pull requests into several
// branches, each judged by its own policy: a dispatch for one base is no
// record of the dispatch for another.
func MarkerContext(gate, base string) string { return policy.CheckPrefix + gate + "/z: " + base }

// legacyMarkerContext is the marker of zgate before markers named their
// base. A trusted one still records a dispatch (for every base), so that an
// upgrade never dispatches again what was already dispatched.
func legacyMarkerContext(gate string) string { return policy.CheckPrefix + gate + "/z" }

// isMarker reports whether a status context is a marker, not a gate: the
// gate part (before any ": <base>") ends in "/z". Gate names have no "/",
// and branch names may (a gate status for base "ops/z" is no marker).
func isMarker(context string) bool {
	rest, ok := strings.CutPrefix(context, policy.CheckPrefix)
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(rest, ":")
	return strings.HasSuffix(name, "/z")
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
func markerStatus(gate, base string, status store.ExecutionStatus, id string) Status {
	s := Status{Context: MarkerContext(gate, base)}
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
