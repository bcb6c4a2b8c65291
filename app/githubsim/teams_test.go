package githubsim

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTeamMembership(t *testing.T) {
	e := newEnv(t, Options{})
	must(t, e.sim.AddTeamMember("acme", "sre", "bob", "active"))
	must(t, e.sim.AddTeamMember("acme", "sre", "pat", "pending"))
	must(t, e.sim.AddTeamMember("acme", "sre-oncall", "carol", ""))
	must(t, e.sim.SetParentTeam("acme", "sre-oncall", "sre"))
	must(t, e.sim.AddTeamMember("acme", "security", "dave", "active"))
	ctx := context.Background()

	tests := []struct {
		name, team, user string
		wantStatus       int
		wantState        string
	}{
		{"direct active", "sre", "bob", http.StatusOK, "active"},
		{"direct pending", "sre", "pat", http.StatusOK, "pending"},
		{"child team member counts for parent", "sre", "carol", http.StatusOK, "active"},
		{"parent member is not in child", "sre-oncall", "bob", http.StatusNotFound, ""},
		{"not a member", "security", "bob", http.StatusNotFound, ""},
		{"unknown team", "nope", "bob", http.StatusNotFound, ""},
		{"case-insensitive login", "sre", "BOB", http.StatusOK, "active"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, resp, _ := e.gh.Teams.GetTeamMembershipBySlug(ctx, "acme", tc.team, tc.user)
			if got := statusOf(resp); got != tc.wantStatus {
				t.Fatalf("status = %d, want %d", got, tc.wantStatus)
			}
			if got := m.GetState(); got != tc.wantState {
				t.Errorf("state = %q, want %q", got, tc.wantState)
			}
		})
	}

	members, _, err := e.gh.Teams.ListTeamMembersBySlug(ctx, "acme", "sre", nil)
	must(t, err)
	var got []string
	for _, m := range members {
		got = append(got, m.GetLogin())
	}
	if diff := cmp.Diff([]string{"bob", "carol"}, got); diff != "" {
		t.Errorf("active members of sre incl. child teams (-want +got):\n%s", diff)
	}

	e.hooks.reset()
	must(t, e.sim.RemoveTeamMember("acme", "sre", "bob"))
	h := e.hooks.last("membership")
	if h.Action != "removed" || h.Payload["team"].(map[string]any)["slug"] != "sre" || h.Payload["installation"] == nil {
		t.Errorf("membership webhook = %s %v, want removed for sre with installation", h.Action, h.Payload["team"])
	}
	if _, resp, _ := e.gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "sre", "bob"); statusOf(resp) != http.StatusNotFound {
		t.Errorf("removed member: status %d, want 404", statusOf(resp))
	}
	if err := e.sim.SetParentTeam("acme", "sre", "sre-oncall"); err == nil {
		t.Errorf("SetParentTeam cycle: got nil error")
	}
}
