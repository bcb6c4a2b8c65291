package act

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// Inputs zgate adds to every dispatch, overriding policy templates of the
// same name so a workflow can trust them.
const (
	InputID      = "zgate_id"
	InputPR      = "pr"
	InputHeadSHA = "head_sha"
	InputGate    = "gate"
)

// inputs renders the policy's templates and adds zgate's own inputs.
func (r *execution) inputs(templates map[string]string) (map[string]string, error) {
	data := policy.TemplateData{Repository: r.e.Key.Owner + "/" + r.e.Key.Repo, Gate: r.gate.Name}
	data.PR.Number = r.e.Key.Number
	data.PR.HeadSHA = r.e.HeadSHA
	data.PR.Base = r.pr.Base
	data.PR.Author = r.pr.Author
	out := make(map[string]string, len(templates)+4)
	names := make([]string, 0, len(templates))
	for name := range templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := policy.RenderTemplate(templates[name], data)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", name, err)
		}
		out[name] = v
	}
	out[InputID] = r.e.ID
	out[InputPR] = strconv.Itoa(r.e.Key.Number)
	out[InputHeadSHA] = r.e.HeadSHA
	out[InputGate] = r.gate.Name
	return out, nil
}

// dispatch sends the workflow_dispatch.
func (r *execution) dispatch(ctx context.Context) error {
	d := r.gate.Then.Dispatch
	in, err := r.inputs(d.Inputs)
	if err != nil {
		return r.finish(ctx, store.ExecFailed, "dispatch not sent: "+err.Error())
	}
	anyIn := make(map[string]any, len(in))
	for k, v := range in {
		anyIn[k] = v
	}
	k := r.e.Key
	if why, err := ambiguousRef(ctx, r.gh, k.Owner, k.Repo, d.Ref); err != nil {
		return fmt.Errorf("dispatch %s: %w", d.Workflow, err)
	} else if why != "" {
		return r.finish(ctx, store.ExecFailed, "dispatch not sent: "+why)
	}
	resp, err := r.gh.Actions.CreateWorkflowDispatchEventByFileName(ctx, k.Owner, k.Repo, d.Workflow,
		github.CreateWorkflowDispatchEventRequest{Ref: d.Ref, Inputs: anyIn})
	return r.dispatched(ctx, resp, err, fmt.Sprintf("workflow %s dispatched on %s", d.Workflow, d.Ref))
}

// ambiguousRef says why a dispatch must not run on ref: a bare name that
// is both a branch and a tag. GitHub resolves such a name as git does, tag
// first, and anyone who can push can create a tag named "main" pointing at
// a workflow of their own. A full ref ("refs/heads/main") or a name that is
// only one of the two is not ambiguous. An unreadable answer is an error:
// never dispatch on a guess.
func ambiguousRef(ctx context.Context, gh *github.Client, owner, repo, ref string) (string, error) {
	if strings.HasPrefix(ref, "refs/") {
		return "", nil
	}
	exists := func(full string) (bool, error) {
		_, resp, err := gh.Git.GetRef(ctx, owner, repo, full)
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read %s: %w", full, err)
		}
		return true, nil
	}
	tag, err := exists("tags/" + ref)
	if err != nil || !tag {
		return "", err
	}
	branch, err := exists("heads/" + ref)
	if err != nil || !branch {
		return "", err
	}
	return fmt.Sprintf("both a branch and a tag are named %q, and GitHub would run the tag's workflow; write refs/heads/%s in the policy", ref, ref), nil
}

// repositoryDispatch sends the repository_dispatch event.
func (r *execution) repositoryDispatch(ctx context.Context) error {
	d := r.gate.Then.RepositoryDispatch
	in, err := r.inputs(d.ClientPayload)
	if err != nil {
		return r.finish(ctx, store.ExecFailed, "repository_dispatch not sent: "+err.Error())
	}
	payload, err := json.Marshal(in)
	if err != nil {
		return r.finish(ctx, store.ExecFailed, "repository_dispatch not sent: "+err.Error())
	}
	raw := json.RawMessage(payload)
	k := r.e.Key
	_, resp, err := r.gh.Repositories.Dispatch(ctx, k.Owner, k.Repo,
		github.DispatchRequestOptions{EventType: d.EventType, ClientPayload: &raw})
	return r.dispatched(ctx, resp, err, "repository_dispatch "+d.EventType+" sent")
}

// dispatched records a dispatch's outcome: only a 4xx is a definite "no".
func (r *execution) dispatched(ctx context.Context, resp *github.Response, err error, ok string) error {
	switch {
	case err == nil:
		return r.finish(ctx, store.ExecDone, ok)
	case definite(resp):
		return r.finish(ctx, store.ExecFailed, fmt.Sprintf("GitHub refused the dispatch (%d): %s", resp.StatusCode, message(err)))
	}
	return r.finish(ctx, store.ExecUnknown, "the dispatch call got no definite answer ("+message(err)+"); it may or may not have run")
}
