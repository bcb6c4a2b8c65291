package action

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// nextSecond waits until the wall clock is in a later second: GitHub's
// times are whole seconds, so the Action takes a head as seen one second
// after its check suite was created.
func nextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)))
}

// syncEvent is the pull_request synchronize payload GitHub sends when
// sender pushes head to pull request n.
func syncEvent(n int, head, sender string) map[string]any {
	return map[string]any{"action": "synchronize", "number": n,
		"pull_request": map[string]any{"number": n, "head": map[string]any{"sha": head}},
		"sender":       map[string]any{"login": sender}}
}

// TestActionPusherCannotApprove: on the synchronize event of a push by a
// team member, that member's approval does not count, and the summary
// says why.
func TestActionPusherCannotApprove(t *testing.T) {
	r := newRig(t, "merge.yml")
	n, _ := r.openPR("scale", nil)
	head, err := r.sim.Push("acme", "payments", "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 6\n"}, nil, "carol")
	if err != nil {
		t.Fatal(err)
	}
	r.approve(n, "carol", "dave")
	if res := r.run("pull_request", syncEvent(n, head, "carol"), false); res.Failed() {
		t.Fatalf("run failed: %v", res.Err())
	}
	if r.pr(n).Merged {
		t.Fatal("merged on the approval of the pusher of the head")
	}
	if !strings.Contains(r.summary.String(), "carol pushed to this pull request") {
		t.Errorf("job summary does not say why carol's approval did not count:\n%s", r.summary.String())
	}
}

// TestActionOverrideBindsToHead: an override given before the head was
// pushed (by GitHub's check suite time) does not open the gate on it.
func TestActionOverrideBindsToHead(t *testing.T) {
	r := newRig(t, "override.yml")
	n, _ := r.openPR("hotfix", nil)
	nextSecond()
	if _, err := r.sim.Comment("acme", "payments", n, "carol", "/zgate override db is down"); err != nil {
		t.Fatal(err)
	}
	nextSecond()
	head, err := r.sim.Push("acme", "payments", "hotfix", map[string]string{"deploy/prod/payments.yml": "replicas: 8\n"}, nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	r.run("pull_request", syncEvent(n, head, "alice"), false)
	if r.pr(n).Merged {
		t.Fatal("an override given on the previous head opened the gate")
	}
	if !strings.Contains(r.summary.String(), "before the head") {
		t.Errorf("job summary does not say why the override did not count:\n%s", r.summary.String())
	}
}

func TestEventPusher(t *testing.T) {
	for _, tt := range []struct {
		name, event, payload string
		want                 string // "number head sender" or ""
	}{
		{"synchronize", "pull_request", `{"action":"synchronize","number":3,"pull_request":{"number":3,"head":{"sha":"abc"}},"sender":{"login":"carol"}}`, "3 abc carol"},
		{"target opened", "pull_request_target", `{"action":"opened","pull_request":{"number":4,"head":{"sha":"def"}},"sender":{"login":"alice"}}`, "4 def alice"},
		{"labeled", "pull_request", `{"action":"labeled","number":3,"sender":{"login":"carol"}}`, ""},
		{"review", "pull_request_review", `{"action":"submitted","number":3,"sender":{"login":"carol"}}`, ""},
		{"no sender", "pull_request", `{"action":"synchronize","number":3}`, ""},
		{"not JSON", "pull_request", `{`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if p := EventPusher(tt.event, []byte(tt.payload)); p != nil {
				got = strings.Join([]string{itoa(p.Number), p.HeadSHA, p.Sender}, " ")
			}
			if got != tt.want {
				t.Errorf("EventPusher() = %q, want %q", got, tt.want)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
