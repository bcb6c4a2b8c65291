package githubsim

import "testing"

// TestMoveBranch: pointing a pull request's branch at another pull
// request's head makes both share it, with synchronize sent by the pusher.
func TestMoveBranch(t *testing.T) {
	e := newEnv(t, Options{})
	n1, _ := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	other, err := e.sim.Push("acme", "payments", "carol-scale", map[string]string{"deploy/prod/app.yaml": "replicas: 9\n"}, nil, "carol")
	must(t, err)
	must(t, e.sim.MoveBranch("acme", "payments", "scale", other, "mallory"))
	h := e.hooks.last("pull_request")
	if h.Action != "synchronize" || h.Payload["sender"].(map[string]any)["login"] != "mallory" {
		t.Errorf("last pull_request = %s by %v, want synchronize by mallory", h.Action, h.Payload["sender"])
	}
	pr, err := e.sim.PullRequest("acme", "payments", n1)
	must(t, err)
	if pr.HeadSHA != other {
		t.Errorf("head = %s, want %s", pr.HeadSHA, other)
	}
	if err := e.sim.MoveBranch("acme", "payments", "scale", "0000000", "mallory"); err == nil {
		t.Errorf("MoveBranch to an unknown commit = nil, want an error")
	}
}
