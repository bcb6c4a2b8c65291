package githubsim

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

func TestRemoveOrgMemberAndDeleteTeam(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	must(t, e.sim.AddTeamMember("acme", "sre", "bob", "active"))
	must(t, e.sim.AddTeamMember("acme", "security", "bob", "active"))
	must(t, e.sim.AddTeamMember("acme", "security", "dave", "active"))

	e.hooks.reset()
	must(t, e.sim.RemoveOrgMember("acme", "bob"))
	h := e.hooks.last("organization")
	if h.Action != "member_removed" || h.Payload["installation"] == nil {
		t.Errorf("organization webhook = %q, installation %v; want member_removed with installation", h.Action, h.Payload["installation"])
	}
	if m, ok := h.Payload["membership"].(map[string]any); !ok || m["user"].(map[string]any)["login"] != "bob" {
		t.Errorf("organization webhook membership = %v, want bob", h.Payload["membership"])
	}
	for _, team := range []string{"sre", "security"} {
		if _, resp, _ := e.gh.Teams.GetTeamMembershipBySlug(ctx, "acme", team, "bob"); statusOf(resp) != http.StatusNotFound {
			t.Errorf("bob in %s after leaving acme: status %d, want 404", team, statusOf(resp))
		}
	}
	if err := e.sim.RemoveOrgMember("acme", "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing bob again: %v, want ErrNotFound", err)
	}

	e.hooks.reset()
	must(t, e.sim.DeleteTeam("acme", "security"))
	if h := e.hooks.last("team"); h.Action != "deleted" || h.Payload["team"].(map[string]any)["slug"] != "security" {
		t.Errorf("team webhook = %q %v, want deleted security", h.Action, h.Payload["team"])
	}
	if _, resp, _ := e.gh.Teams.GetTeamBySlug(ctx, "acme", "security"); statusOf(resp) != http.StatusNotFound {
		t.Errorf("deleted team: status %d, want 404", statusOf(resp))
	}
}
