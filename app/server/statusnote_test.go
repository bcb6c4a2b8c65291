package server

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// noteRecorder is a StatusNoter that records the commits noted.
type noteRecorder struct {
	mu    sync.Mutex
	notes []string
	err   error
}

func (n *noteRecorder) NoteStatus(_ context.Context, owner, repo, sha string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.err != nil {
		return n.err
	}
	n.notes = append(n.notes, owner+"/"+repo+"@"+sha)
	return nil
}

// TestStatusDeliveryIsNoted: the engine reads a head's statuses again only
// after a noted status delivery, so a status claiming a zgate check is
// noted before the re-evaluation is queued, and a delivery that cannot be
// noted fails (503: GitHub shows it failed and it can be redelivered)
// instead of queueing an evaluation that would not see the claim.
func TestStatusDeliveryIsNoted(t *testing.T) {
	for _, tt := range []struct {
		name, file string
		err        error
		wantStatus int
		wantNotes  []string
		wantKeys   int
	}{
		{"claim", "status_claims_gate.json", nil, 202, []string{"acme/payments@abc"}, 1},
		{"CI status", "status_ci.json", nil, 200, nil, 0},
		{"store down", "status_claims_gate.json", errors.New("down"), 503, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := &noteRecorder{err: tt.err}
			s, f := newTestServerWith(t, func(c *Config) { c.StatusNotes = n })
			body := readPayload(t, tt.file)
			rec := post(t, s.Handler(), "status", "d-1", body, Sign(testSecret, body))
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d (%s), want %d", rec.Code, rec.Body.String(), tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantNotes, n.notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
			if len(f.keys) != tt.wantKeys {
				t.Errorf("enqueued %v, want %d keys", f.keys, tt.wantKeys)
			}
		})
	}
}
