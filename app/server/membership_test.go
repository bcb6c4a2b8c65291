package server

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/store"
)

// TestMembershipEvents: an event that can take the right to approve from
// someone drops the cached membership and re-evaluates the whole
// installation; additions only drop the cache.
func TestMembershipEvents(t *testing.T) {
	inst := []store.PRKey{engine.InstallationKey(7, "acme")}
	tests := []struct {
		name, event, file string
		wantStatus        int
		wantKeys          []store.PRKey
		wantInvalidated   []string
	}{
		{"member added", "membership", "membership_added.json", 200, nil, []string{"acme/sre"}},
		{"member removed", "membership", "membership_removed.json", 202, inst, []string{"acme/sre"}},
		{"team deleted", "team", "team_deleted.json", 202, inst, []string{"acme/"}},
		{"left the organization", "organization", "organization_member_removed.json", 202, inst, []string{"acme/"}},
		{"joined the organization", "organization", "organization_member_added.json", 200, nil, nil},
		{"removed, no installation", "membership", "membership_removed_no_installation.json", 200, nil, []string{"acme/sre"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, f := newTestServer(t)
			body := readPayload(t, tt.file)
			rec := post(t, s.Handler(), tt.event, "d-1", body, Sign(testSecret, body))
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d (%s), want %d", rec.Code, strings.TrimSpace(rec.Body.String()), tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantKeys, f.keys); diff != "" {
				t.Errorf("enqueued keys (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantInvalidated, f.invalidated); diff != "" {
				t.Errorf("invalidated (-want +got):\n%s", diff)
			}
		})
	}
}
