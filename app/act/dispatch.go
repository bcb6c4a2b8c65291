package act

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

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
	resp, err := r.gh.Actions.CreateWorkflowDispatchEventByFileName(ctx, k.Owner, k.Repo, d.Workflow,
		github.CreateWorkflowDispatchEventRequest{Ref: d.Ref, Inputs: anyIn})
	return r.dispatched(ctx, resp, err, fmt.Sprintf("workflow %s dispatched on %s", d.Workflow, d.Ref))
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
