package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// Page is what the details page shows, and its JSON (docs/details-page.md).
type Page struct {
	Repository string    `json:"repository"`
	Number     int       `json:"number"`
	Title      string    `json:"title"`
	URL        string    `json:"url"`
	Author     string    `json:"author"`
	State      string    `json:"state"` // open, closed or merged
	Base       string    `json:"base"`
	HeadSHA    string    `json:"head_sha"`
	At         time.Time `json:"generated_at"`
	Policy     Source    `json:"policy"`
	// Unavailable lists the facts that could not be read (fail closed).
	Unavailable  []string              `json:"unavailable"`
	Gates        []Gate                `json:"gates"`
	Attestations []Attestation         `json:"attestations"`
	Rejected     []RejectedAttestation `json:"rejected_attestations"`
	Timeline     []Event               `json:"timeline"`
}

// Source says where the policy came from.
type Source struct {
	File string `json:"file"`
	// BaseSHA is the base branch commit the policy was read at; "" when
	// it was read at the branch itself.
	BaseSHA    string `json:"base_sha"`
	Codeowners string `json:"codeowners,omitempty"`
	// Error is why the policy did not load, "" when it did.
	Error string `json:"error,omitempty"`
}

// Gate is one gate at the head commit.
type Gate struct {
	Name    string       `json:"name"`
	Check   string       `json:"check"`
	State   policy.State `json:"state"`
	Summary string       `json:"summary"`
	Quorum  int          `json:"quorum"`
	// Window is how long a control counts, as Go prints durations.
	Window    string     `json:"window"`
	ExpiresAt *time.Time `json:"expires_at"`
	Controls  []Control  `json:"controls"`
	// MissingTeams are the teams still to approve, with who could.
	MissingTeams []MissingTeam `json:"missing_teams"`
	// Missing says, per unmet requirement, what would open the gate.
	Missing  []string  `json:"missing"`
	Override *Override `json:"override"`
	Action   Action    `json:"action"`
	Results  []Result  `json:"results"`
	Notes    []string  `json:"notes"`
	WaitsFor []string  `json:"waits_for"`
}

// Control is one control of a gate.
type Control struct {
	ID       string             `json:"id"`
	Kind     policy.ControlKind `json:"kind"`
	Required bool               `json:"required"`
	Held     bool               `json:"held"`
	Reason   string             `json:"reason"`
	By       string             `json:"by,omitempty"`
	Commit   string             `json:"commit,omitempty"`
	At       *time.Time         `json:"at,omitempty"`
	// Until is when the control leaves the gate's window.
	Until *time.Time `json:"until,omitempty"`
	Notes []string   `json:"notes,omitempty"`
}

// MissingTeam is a team control that does not hold.
type MissingTeam struct {
	Team     string `json:"team"`
	Required bool   `json:"required"`
	// Candidates are its active members who could approve: never the
	// author, a pusher or a bot.
	Candidates []string `json:"candidates"`
}

// Override is the break-glass override that opened the gate.
type Override struct {
	By      []string `json:"by"`
	Reasons []string `json:"reasons"`
}

// Action is the gate's Z.
type Action struct {
	Kind      policy.ActionKind `json:"kind"`
	Method    string            `json:"method,omitempty"`
	Workflow  string            `json:"workflow,omitempty"`
	Ref       string            `json:"ref,omitempty"`
	EventType string            `json:"event_type,omitempty"`
	// Inputs are the workflow inputs or client payload, as templates.
	Inputs map[string]string `json:"inputs,omitempty"`
}

// Result is one Z run for the gate on this pull request.
type Result struct {
	ID      string    `json:"id"`
	HeadSHA string    `json:"head_sha"`
	Status  string    `json:"status"`
	Detail  string    `json:"detail"`
	At      time.Time `json:"at"`
	Link    string    `json:"link,omitempty"`
}

// Attestation is a verified attestation about the head commit.
type Attestation struct {
	PredicateType string    `json:"predicate_type"`
	Signer        string    `json:"signer"`
	Issuer        string    `json:"issuer"`
	Workflow      string    `json:"workflow,omitempty"`
	Commit        string    `json:"commit"`
	SignedAt      time.Time `json:"signed_at"`
}

// RejectedAttestation is one that failed verification.
type RejectedAttestation struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// Event is one audit record of the pull request.
type Event struct {
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Gate    string    `json:"gate,omitempty"`
	HeadSHA string    `json:"head_sha,omitempty"`
	Text    string    `json:"text"`
}

// Input is what [Build] makes a page of.
type Input struct {
	Res      *facts.Result
	Decision policy.Decision
	// Executions are the pull request's Z runs, any head.
	Executions []store.Execution
	Records    []store.AuditRecord
	// RepoURL is the repository's web address, for links to Z's results.
	RepoURL string
	Now     time.Time
}

// Build makes the page from the gathered facts, the decision
// policy.Evaluate made of them, and the store's records. It is pure.
func Build(in Input) Page {
	res := in.Res
	pr := res.PR
	p := Page{
		Repository: res.Facts.Repository, Number: pr.GetNumber(), Title: pr.GetTitle(), URL: pr.GetHTMLURL(),
		Author: pr.GetUser().GetLogin(), State: pr.GetState(), Base: res.BaseRef, HeadSHA: res.HeadSHA, At: in.Now,
		Policy:      Source{File: res.PolicyFile, Codeowners: res.CodeownersFile},
		Unavailable: nonNil(res.Facts.Unavailable),
		Gates:       []Gate{}, Attestations: []Attestation{}, Rejected: []RejectedAttestation{}, Timeline: []Event{},
	}
	if pr.GetMerged() {
		p.State = "merged"
	}
	if !strings.HasPrefix(res.PolicyRef, "refs/") {
		p.Policy.BaseSHA = res.PolicyRef
	}
	if res.PolicyErr != nil {
		p.Policy.Error = res.PolicyErr.Error()
	}
	for _, a := range res.Facts.Attestations {
		p.Attestations = append(p.Attestations, Attestation{PredicateType: a.PredicateType, Signer: a.Identity, Issuer: a.Issuer,
			Workflow: a.SignerWorkflow, Commit: a.Commit, SignedAt: a.SignedAt})
	}
	for _, r := range res.Facts.RejectedAttestations {
		p.Rejected = append(p.Rejected, RejectedAttestation(r))
	}
	for _, gd := range in.Decision.Gates {
		p.Gates = append(p.Gates, buildGate(in, gd))
	}
	for _, r := range in.Records {
		p.Timeline = append(p.Timeline, event(r))
	}
	return p
}

func buildGate(in Input, gd policy.GateDecision) Gate {
	var def *policy.Gate
	if in.Res.Policy != nil {
		for i := range in.Res.Policy.Gates {
			if in.Res.Policy.Gates[i].Name == gd.Name {
				def = &in.Res.Policy.Gates[i]
			}
		}
	}
	g := Gate{Name: gd.Name, Check: gd.Check, State: gd.State, Summary: gd.Summary, Quorum: gd.Quorum, ExpiresAt: gd.ExpiresAt,
		Controls: []Control{}, MissingTeams: []MissingTeam{}, Missing: nonNil(gd.Missing), Notes: nonNil(gd.Notes),
		Results: []Result{}, WaitsFor: []string{}, Action: Action{Kind: gd.Action}}
	if def != nil && def.Window > 0 {
		g.Window = window(def.Window)
	}
	for _, cr := range gd.Controls {
		c := Control{ID: cr.ID, Kind: cr.Kind, Required: cr.Required, Held: cr.Held, Reason: cr.Reason, By: cr.By, Commit: cr.Commit, At: cr.At, Notes: cr.Notes}
		if cr.Held && cr.At != nil && def != nil && def.Window > 0 {
			u := cr.At.Add(def.Window)
			c.Until = &u
		}
		g.Controls = append(g.Controls, c)
		// Once the gate is open nobody else needs to approve.
		if cr.Kind == policy.ControlTeam && !cr.Held && gd.State != policy.StateSuccess {
			g.MissingTeams = append(g.MissingTeams, MissingTeam{Team: cr.ID, Required: cr.Required, Candidates: nonNil(cr.Candidates)})
		}
	}
	if gd.Override != nil {
		g.Override = &Override{By: gd.Override.By, Reasons: gd.Override.Reasons}
	}
	if def != nil {
		g.Action = action(def.Then)
	}
	if gd.State == policy.StateSuccess {
		for _, w := range policy.MergeWaitsFor(in.Decision, gd.Name) {
			g.WaitsFor = append(g.WaitsFor, w.Name)
		}
	}
	for _, x := range in.Executions {
		if x.Gate == gd.Name {
			g.Results = append(g.Results, Result{ID: x.ID, HeadSHA: x.HeadSHA, Status: string(x.Status), Detail: x.Detail, At: x.Updated,
				Link: resultLink(in, g.Action, x)})
		}
	}
	return g
}

// window prints a window as the policy writes it: "7d", "24h", "90m".
func window(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func action(a policy.Action) Action {
	out := Action{Kind: a.Kind()}
	switch {
	case a.Merge != nil:
		out.Method = a.Merge.Method
	case a.Dispatch != nil:
		out.Workflow, out.Ref, out.Inputs = a.Dispatch.Workflow, a.Dispatch.Ref, a.Dispatch.Inputs
	case a.RepositoryDispatch != nil:
		out.EventType, out.Inputs = a.RepositoryDispatch.EventType, a.RepositoryDispatch.ClientPayload
	}
	return out
}

var mergedAs = regexp.MustCompile(`\bas ([0-9a-f]{40})$`)

// resultLink points at what Z did: the merge commit (or the pull request),
// the workflow's runs, the repository's runs.
func resultLink(in Input, a Action, x store.Execution) string {
	if in.RepoURL == "" {
		return ""
	}
	switch policy.ActionKind(x.Kind) {
	case policy.ActionMerge:
		// act/merge.go writes "merged (METHOD) as SHA".
		if m := mergedAs.FindStringSubmatch(x.Detail); m != nil {
			return in.RepoURL + "/commit/" + m[1]
		}
		return in.Res.PR.GetHTMLURL()
	case policy.ActionDispatch:
		if a.Workflow != "" {
			return in.RepoURL + "/actions/workflows/" + a.Workflow
		}
	}
	return in.RepoURL + "/actions"
}

// event turns an audit record into a line of the timeline.
func event(r store.AuditRecord) Event {
	e := Event{Seq: r.Seq, At: r.Time, Kind: r.Kind, Gate: r.Gate, HeadSHA: r.HeadSHA}
	var d map[string]any
	_ = json.Unmarshal(r.Data, &d) // a record whose data is not an object shows its kind only
	str := func(k string) string { s, _ := d[k].(string); return s }
	list := func(k string) string {
		v, _ := d[k].([]any)
		var out []string
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return strings.Join(out, ", ")
	}
	switch r.Kind {
	case "decision":
		e.Text = joinNonEmpty(": ", str("state"), str("summary"))
	case "execution":
		e.Text = joinNonEmpty(": ", joinNonEmpty(" ", str("kind"), str("status")), str("detail"))
	case "override":
		e.Text = joinNonEmpty(": ", "by "+list("by"), list("reasons"))
	default:
		keys := slices.Sorted(maps.Keys(d))
		for _, k := range keys {
			if s := str(k); s != "" && len(s) < 300 {
				e.Text = joinNonEmpty("; ", e.Text, k+": "+s)
			}
		}
	}
	return e
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
