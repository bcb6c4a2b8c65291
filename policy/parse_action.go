package policy

import (
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	thenKeys               = []string{"merge", "dispatch", "repository_dispatch"}
	mergeKeys              = []string{"method"}
	dispatchKeys           = []string{"workflow", "ref", "inputs"}
	repositoryDispatchKeys = []string{"event_type", "client_payload"}
	overrideKeys           = []string{"teams", "approvals"}
	mergeMethods           = []string{"merge", "squash", "rebase"}
)

const (
	// DefaultMergeMethod is the merge method when `then.merge` names none,
	// as on GitHub.
	DefaultMergeMethod = "merge"
	// ReservedInputPrefix starts the dispatch inputs and client payload keys
	// zgate sets itself (zgate_id, ...); a policy may not set them.
	ReservedInputPrefix = "zgate_"
	// maxEventTypeLen and maxClientPayloadKeys are GitHub's limits for a
	// repository_dispatch, maxDispatchInputs for a workflow_dispatch.
	maxEventTypeLen      = 100
	maxClientPayloadKeys = 10
	maxDispatchInputs    = 25
)

// zgateInputs are the dispatch inputs and client payload keys zgate sets
// itself when it fires (app/act), overriding a policy value of the same
// name. They count against GitHub's limits.
var zgateInputs = []string{"zgate_id", "pr", "head_sha", "gate"}

// action decodes `then`. A key present with a null value (`merge:`) is an
// error rather than "no action", so that a half-written Z is never
// silently dropped.
func (d *policyDecoder) action(n *yaml.Node) Action {
	var a Action
	if isNull(n) {
		return a
	}
	f, ok := d.mapping(n, "then", thenKeys)
	if !ok {
		return a
	}
	var set []string
	for _, k := range thenKeys {
		if _, ok := f[k]; ok {
			set = append(set, k)
		}
	}
	if len(set) > 1 {
		d.errorf(n, "then: set at most one of merge, dispatch, repository_dispatch, got %s", strings.Join(set, " and "))
	}
	if v, ok := f["merge"]; ok {
		a.Merge = d.merge(v)
	}
	if v, ok := f["dispatch"]; ok {
		a.Dispatch = d.dispatch(v)
	}
	if v, ok := f["repository_dispatch"]; ok {
		a.RepositoryDispatch = d.repositoryDispatch(v)
	}
	return a
}

func (d *policyDecoder) merge(n *yaml.Node) *MergeAction {
	m := &MergeAction{Method: DefaultMergeMethod}
	f, ok := d.mapping(n, "then.merge", mergeKeys)
	if !ok {
		return m
	}
	if v := f.get("method"); v != nil {
		if s, ok := d.str(v, "then.merge.method"); ok {
			if !slices.Contains(mergeMethods, s) {
				d.errorf(v, "then.merge.method: want merge, squash or rebase, got %q", s)
			}
			m.Method = s
		}
	}
	return m
}

func (d *policyDecoder) dispatch(n *yaml.Node) *DispatchAction {
	a := &DispatchAction{}
	f, ok := d.mapping(n, "then.dispatch", dispatchKeys)
	if !ok {
		return a
	}
	if v := f.get("workflow"); v == nil {
		d.errorf(n, "then.dispatch: missing workflow (the workflow file name, like deploy.yml)")
	} else if s, ok := d.str(v, "then.dispatch.workflow"); ok {
		switch {
		case s == "":
			d.errorf(v, "then.dispatch.workflow: empty string")
		case strings.ContainsAny(s, "/ \t"):
			d.errorf(v, "then.dispatch.workflow: %q: want the workflow's file name (deploy.yml) or numeric id, not a path", s)
		}
		a.Workflow = s
	}
	// The ref is required: GitHub needs one, and a default (the base
	// branch? the default branch?) would be a guess about where a deploy
	// runs.
	if v := f.get("ref"); v == nil {
		d.errorf(n, "then.dispatch: missing ref (the branch or tag to run the workflow on, like main)")
	} else if s, ok := d.str(v, "then.dispatch.ref"); ok {
		if s == "" {
			d.errorf(v, "then.dispatch.ref: empty string")
		}
		a.Ref = s
	}
	if v := f.get("inputs"); v != nil {
		a.Inputs = d.templates(v, "then.dispatch.inputs", maxDispatchInputs)
	}
	return a
}

func (d *policyDecoder) repositoryDispatch(n *yaml.Node) *RepositoryDispatchAction {
	a := &RepositoryDispatchAction{}
	f, ok := d.mapping(n, "then.repository_dispatch", repositoryDispatchKeys)
	if !ok {
		return a
	}
	if v := f.get("event_type"); v == nil {
		d.errorf(n, "then.repository_dispatch: missing event_type")
	} else if s, ok := d.str(v, "then.repository_dispatch.event_type"); ok {
		switch {
		case s == "":
			d.errorf(v, "then.repository_dispatch.event_type: empty string")
		case len(s) > maxEventTypeLen:
			d.errorf(v, "then.repository_dispatch.event_type: %d characters, GitHub allows %d", len(s), maxEventTypeLen)
		}
		a.EventType = s
	}
	if v := f.get("client_payload"); v != nil {
		a.ClientPayload = d.templates(v, "then.repository_dispatch.client_payload", maxClientPayloadKeys)
	}
	return a
}

// templates decodes a mapping of names to templates and checks that every
// template parses and executes over sample [TemplateData]. limit is
// GitHub's bound on the keys, which zgate's own keys share.
func (d *policyDecoder) templates(n *yaml.Node, what string, limit int) map[string]string {
	vals, nodes := d.stringMap(n, what)
	if vals == nil {
		return nil
	}
	total := len(zgateInputs)
	for k := range vals {
		if !slices.Contains(zgateInputs, k) {
			total++
		}
	}
	if total > limit {
		d.errorf(n, "%s: %d keys with the %d zgate sets (%s), GitHub allows %d", what, total, len(zgateInputs), strings.Join(zgateInputs, ", "), limit)
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "" {
			d.errorf(nodes[k], "%s: empty key", what)
			continue
		}
		if strings.HasPrefix(k, ReservedInputPrefix) {
			d.errorf(nodes[k], "%s.%s: keys starting with %q are reserved for zgate", what, k, ReservedInputPrefix)
			continue
		}
		if err := checkTemplate(vals[k]); err != nil {
			d.errorf(nodes[k], "%s.%s: %v", what, k, err)
		}
	}
	return vals
}

// override decodes the break-glass rule.
func (d *policyDecoder) override(n *yaml.Node) *Override {
	o := &Override{}
	f, ok := d.mapping(n, "override", overrideKeys)
	if !ok {
		return o
	}
	if v := f.get("teams"); v == nil {
		d.errorf(n, "override: missing teams (who may break the glass)")
	} else {
		items := d.strings(v, "override.teams")
		if len(items) == 0 && v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
			d.errorf(v, "override.teams: empty: name who may break the glass")
		}
		o.Teams = d.owners(items, "team")
	}
	if v := f.get("approvals"); v == nil {
		d.errorf(n, "override: missing approvals (how many distinct people must comment /zgate override)")
	} else if a, ok := d.integer(v, "override.approvals"); ok {
		if a < 1 {
			d.errorf(v, "override.approvals: must be at least 1, got %d", a)
		}
		o.Approvals = a
	}
	return o
}
