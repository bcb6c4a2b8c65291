package githubsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/mergequeue"
)

// TestMergeQueue: a branch requiring a queue refuses the REST merge; the
// GraphQL mutation queues (guarded by the head), builds a group per entry
// on the one ahead, announces it; the group whose check fails leaves and
// the groups behind are rebuilt; a passing group merges with all ahead.
func TestMergeQueue(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	must(t, e.sim.SetRequiredChecks("acme", "payments", "main", []string{"ci"}))
	var prs []int
	var heads []string
	for i := range 3 {
		n, head := e.openPR(t, fmt.Sprintf("f%d", i), map[string]string{fmt.Sprintf("f%d.txt", i): "x\n"})
		must(t, e.sim.SetStatus("acme", "payments", head, "success", "ci", "", "ci-bot"))
		prs, heads = append(prs, n), append(heads, head)
	}
	endpoint := mergequeue.Endpoint(e.gh.BaseURL)
	hc := e.gh.Client()

	// Not required yet: GraphQL refuses, REST would merge.
	pr0, _, err := e.gh.PullRequests.Get(ctx, "acme", "payments", prs[0])
	must(t, err)
	if _, err := mergequeue.Enqueue(ctx, hc, endpoint, pr0.GetNodeID(), heads[0]); !errors.Is(err, mergequeue.ErrGraphQL) {
		t.Fatalf("enqueue without a queue: %v, want ErrGraphQL", err)
	}
	must(t, e.sim.RequireMergeQueue("acme", "payments", "main", true))
	rules, _, err := e.gh.Repositories.GetRulesForBranch(ctx, "acme", "payments", "main")
	must(t, err)
	if len(rules) != 1 || rules[0].Type != "merge_queue" {
		t.Fatalf("rules of main: %+v, want one merge_queue", rules)
	}
	_, resp, _ := e.gh.PullRequests.Merge(ctx, "acme", "payments", prs[0], "", &github.PullRequestOptions{SHA: heads[0]})
	if statusOf(resp) != 405 {
		t.Fatalf("REST merge into a queue branch: %d, want 405", statusOf(resp))
	}
	if _, err := mergequeue.Enqueue(ctx, hc, endpoint, pr0.GetNodeID(), heads[1]); !errors.Is(err, mergequeue.ErrGraphQL) {
		t.Fatalf("enqueue with a stale head: %v, want ErrGraphQL", err)
	}
	e.hooks.reset()
	for i, n := range prs {
		pr, _, err := e.gh.PullRequests.Get(ctx, "acme", "payments", n)
		must(t, err)
		entry, err := mergequeue.Enqueue(ctx, hc, endpoint, pr.GetNodeID(), heads[i])
		must(t, err)
		if entry.Position != i+1 || entry.State != "QUEUED" {
			t.Errorf("entry %d: %+v", i, entry)
		}
	}
	if _, err := mergequeue.Enqueue(ctx, hc, endpoint, pr0.GetNodeID(), heads[0]); !errors.Is(err, mergequeue.ErrGraphQL) {
		t.Fatalf("second enqueue: %v, want ErrGraphQL", err)
	}
	e.sim.WaitDeliveries()
	q := e.sim.MergeQueue("acme", "payments", "main")
	if len(q) != 3 {
		t.Fatalf("queue %+v", q)
	}
	refs, _, err := e.gh.Git.ListMatchingRefs(ctx, "acme", "payments", &github.ReferenceListOptions{Ref: "heads/gh-readonly-queue/main/"})
	must(t, err)
	for i, ent := range q {
		c, _, err := e.gh.Git.GetCommit(ctx, "acme", "payments", ent.GroupSHA)
		must(t, err)
		want := e.sim.Ref("acme", "payments", "refs/heads/main")
		if i > 0 {
			want = q[i-1].GroupSHA
		}
		if c.Parents[0].GetSHA() != want || c.Parents[1].GetSHA() != heads[i] {
			t.Errorf("group %d parents %s %s, want %s %s", i, c.Parents[0].GetSHA(), c.Parents[1].GetSHA(), want, heads[i])
		}
		r, err := mergequeue.ParseRef(refs[i].GetRef())
		must(t, err)
		if r.PR != prs[i] || r.HeadSHA != heads[i] || refs[i].GetObject().GetSHA() != ent.GroupSHA {
			t.Errorf("ref %d: %+v -> %s", i, r, refs[i].GetObject().GetSHA())
		}
	}
	mg := e.hooks.last("merge_group")
	if mg.Action != "checks_requested" || mg.Payload["merge_group"].(map[string]any)["head_sha"] != q[2].GroupSHA {
		t.Errorf("last merge_group %s %v", mg.Action, mg.Payload["merge_group"])
	}
	st, err := mergequeue.PullState(ctx, hc, endpoint, "acme", "payments", prs[1])
	must(t, err)
	if !st.IsInMergeQueue || st.Merged {
		t.Errorf("state of queued PR: %+v", st)
	}

	// The middle group fails: its PR leaves, the last group is rebuilt.
	e.hooks.reset()
	must(t, e.sim.SetStatus("acme", "payments", q[1].GroupSHA, "failure", "ci", "", "ci-bot"))
	e.sim.WaitDeliveries()
	q2 := e.sim.MergeQueue("acme", "payments", "main")
	if len(q2) != 2 || q2[0] != q[0] || q2[1].PR != prs[2] || q2[1].GroupSHA == q[2].GroupSHA {
		t.Fatalf("queue after a failure: %+v (was %+v)", q2, q)
	}
	if got, want := e.hooks.events(), []string{"status", "merge_group.destroyed", "merge_group.destroyed", "merge_group.checks_requested"}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	// The last group passes: both merge, main moves to it.
	must(t, e.sim.SetStatus("acme", "payments", q2[1].GroupSHA, "success", "ci", "", "ci-bot"))
	e.sim.WaitDeliveries()
	for i, want := range []bool{true, false, true} {
		p, _ := e.sim.PullRequest("acme", "payments", prs[i])
		if p.Merged != want {
			t.Errorf("PR %d merged %v, want %v", prs[i], p.Merged, want)
		}
	}
	if got := e.sim.Ref("acme", "payments", "refs/heads/main"); got != q2[1].GroupSHA {
		t.Errorf("main at %s, want %s", got, q2[1].GroupSHA)
	}
	refs, _, err = e.gh.Git.ListMatchingRefs(ctx, "acme", "payments", &github.ReferenceListOptions{Ref: "heads/gh-readonly-queue/"})
	must(t, err)
	if len(e.sim.MergeQueue("acme", "payments", "main")) != 0 || len(refs) != 0 {
		t.Errorf("queue or group branches left after merging: %d refs", len(refs))
	}
}

// TestMergeQueueControl: the control API turns the queue on, queues and
// dequeues as a person would, and lists the queue.
func TestMergeQueueControl(t *testing.T) {
	e := newEnv(t, Options{})
	n, head := e.openPR(t, "f", map[string]string{"f.txt": "x\n"})
	must(t, e.sim.SetRequiredChecks("acme", "payments", "main", []string{"ci"}))
	must(t, e.sim.SetStatus("acme", "payments", head, "success", "ci", "", "ci-bot"))
	post := func(path string, body map[string]any) int {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, err := http.Post(e.srv.URL+"/_sim/"+path, "application/json", bytes.NewReader(b))
		must(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	list := func() []QueueEntry {
		t.Helper()
		resp, err := http.Get(e.srv.URL + "/_sim/merge-queue?owner=acme&repo=payments&branch=main")
		must(t, err)
		defer resp.Body.Close()
		var q []QueueEntry
		must(t, json.NewDecoder(resp.Body).Decode(&q))
		return q
	}
	if code := post("enqueue", map[string]any{"owner": "acme", "repo": "payments", "number": n, "user": "alice", "sha": head}); code < 400 {
		t.Errorf("enqueue without a queue: %d, want an error", code)
	}
	post("merge-queue", map[string]any{"owner": "acme", "repo": "payments", "branch": "main"})
	if code := post("enqueue", map[string]any{"owner": "acme", "repo": "payments", "number": n, "user": "alice", "sha": head}); code >= 400 {
		t.Fatalf("enqueue: %d", code)
	}
	if q := list(); len(q) != 1 || q[0].PR != n || q[0].HeadSHA != head || q[0].GroupSHA == "" {
		t.Fatalf("queue %+v", q)
	}
	post("dequeue", map[string]any{"owner": "acme", "repo": "payments", "number": n})
	if q := list(); len(q) != 0 {
		t.Errorf("queue after dequeue %+v", q)
	}
	// A push to a queued head removes it from the queue.
	post("enqueue", map[string]any{"owner": "acme", "repo": "payments", "number": n, "user": "alice", "sha": head})
	if q := list(); len(q) != 1 {
		t.Fatalf("queue after enqueueing again %+v", q)
	}
	if _, err := e.sim.Push("acme", "payments", "f", map[string]string{"g.txt": "y\n"}, nil, "alice"); err != nil {
		t.Fatal(err)
	}
	if q := list(); len(q) != 0 {
		t.Errorf("queue after a push to the queued head %+v", q)
	}
}
