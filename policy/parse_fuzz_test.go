package policy

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"
)

// FuzzParse checks that Parse never panics, reports every failure as a
// located ProblemList, is deterministic, and that a policy it accepts
// survives being written back out as YAML and parsed again.
func FuzzParse(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{
		filepath.Join("testdata", "policies", "*", "*.yaml"),
		filepath.Join("..", "examples", "*", "*.yml"),
		filepath.Join("..", "examples", "*", "*.yaml"),
		filepath.Join("..", ".github", "zgate.yml"),
	} {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, matches...)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("zgate.yml", data)
		if err != nil {
			var problems ProblemList
			if !errors.As(err, &problems) || len(problems) == 0 {
				t.Fatalf("Parse error %v (%T) is not a non-empty ProblemList", err, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse error does not wrap ErrInvalid")
			}
			for _, pr := range problems {
				if pr.Msg == "" || pr.File != "zgate.yml" || pr.Line < 0 || pr.Column < 0 {
					t.Fatalf("malformed problem %#v", pr)
				}
			}
			if p != nil {
				t.Fatalf("Parse returned a policy with an error")
			}
			_, again := Parse("zgate.yml", data)
			if diff := cmp.Diff(err, again); diff != "" {
				t.Fatalf("Parse is not deterministic (-first +second):\n%s", diff)
			}
			return
		}
		again, err := Parse("zgate.yml", encodePolicy(t, p))
		if err != nil {
			t.Fatalf("re-parsing the encoded policy: %v\n%s", err, encodePolicy(t, p))
		}
		opts := cmp.Options{
			cmpopts.IgnoreFields(Gate{}, "Line"),
			cmpopts.IgnoreFields(DecisionControl{}, "Line"),
			cmpopts.EquateEmpty(),
			cmp.Comparer(func(a, b AttestationControl) bool {
				return a.Name == b.Name && a.PredicateType == b.PredicateType &&
					a.Issuer == b.Issuer && a.Identity == b.Identity &&
					a.IdentityRE != nil && b.IdentityRE != nil &&
					a.IdentityRE.String() == b.IdentityRE.String() &&
					a.SourceRepository == b.SourceRepository &&
					a.SignerWorkflow == b.SignerWorkflow &&
					(a.SignerWorkflowRE == nil) == (a.SignerWorkflow == "") &&
					(b.SignerWorkflowRE == nil) == (b.SignerWorkflow == "") &&
					a.RunnerEnvironment == b.RunnerEnvironment
			}),
		}
		if diff := cmp.Diff(p, again, opts); diff != "" {
			t.Fatalf("round trip changed the policy (-parsed +re-parsed):\n%s", diff)
		}
	})
}

// encodePolicy writes a policy back out in the policy file syntax, with
// every default spelled out.
func encodePolicy(t *testing.T, p *Policy) []byte {
	t.Helper()
	gates := make([]map[string]any, 0, len(p.Gates))
	for _, g := range p.Gates {
		gm := map[string]any{
			"name":                       g.Name,
			"window":                     g.Window.String(),
			"block_on_changes_requested": g.BlockOnChangesRequested,
			"pushers":                    string(g.Pushers),
		}
		if g.Sign != "" {
			gm["sign"] = string(g.Sign)
		}
		if g.Description != "" {
			gm["description"] = g.Description
		}
		cond := map[string]any{}
		if len(g.If.Base) > 0 {
			cond["base"] = g.If.Base
		}
		if len(g.If.Paths) > 0 {
			cond["paths"] = g.If.Paths
		}
		if len(g.If.Labels) > 0 {
			cond["labels"] = g.If.Labels
		}
		if len(g.If.Environment) > 0 {
			cond["environment"] = g.If.Environment
		}
		gm["if"] = cond
		teams := map[string]any{"fresh": string(g.Controls.Teams.Fresh)}
		if g.Controls.Teams.FromCodeowners {
			teams["from"] = fromCodeownersValue
		} else {
			teams["from"] = append([]string{}, g.Controls.Teams.From...)
		}
		var atts []map[string]string
		for _, a := range g.Controls.Attestations {
			am := map[string]string{
				"name": a.Name, "predicate_type": a.PredicateType,
				"issuer": a.Issuer, "identity": a.Identity,
			}
			for key, v := range map[string]string{
				"source_repository":  a.SourceRepository,
				"signer_workflow":    a.SignerWorkflow,
				"runner_environment": a.RunnerEnvironment,
			} {
				if v != "" {
					am[key] = v
				}
			}
			atts = append(atts, am)
		}
		controls := map[string]any{"teams": teams, "attestations": atts}
		if c := g.Controls.Decision; c != nil {
			controls["decision"] = map[string]string{"repository": c.Repository, "gate": c.Gate, "key": c.Key}
		}
		gm["controls"] = controls
		if g.Quorum > 0 {
			gm["quorum"] = g.Quorum
		}
		if len(g.Required) > 0 {
			gm["required"] = g.Required
		}
		if g.Override != nil {
			gm["override"] = map[string]any{"teams": g.Override.Teams, "approvals": g.Override.Approvals}
		}
		switch {
		case g.Then.Merge != nil:
			gm["then"] = map[string]any{"merge": map[string]string{"method": g.Then.Merge.Method}}
		case g.Then.Dispatch != nil:
			d := map[string]any{"workflow": g.Then.Dispatch.Workflow, "inputs": g.Then.Dispatch.Inputs}
			if g.Then.Dispatch.Ref != "" {
				d["ref"] = g.Then.Dispatch.Ref
			}
			gm["then"] = map[string]any{"dispatch": d}
		case g.Then.RepositoryDispatch != nil:
			gm["then"] = map[string]any{"repository_dispatch": map[string]any{
				"event_type":     g.Then.RepositoryDispatch.EventType,
				"client_payload": g.Then.RepositoryDispatch.ClientPayload,
			}}
		}
		gates = append(gates, gm)
	}
	out, err := yaml.Marshal(map[string]any{"version": p.Version, "gates": gates})
	if err != nil {
		t.Fatalf("encoding the policy: %v", err)
	}
	return out
}

// TestEncodePolicyRoundTrip runs the fuzz property over the valid testdata
// without the fuzzer, so a plain `go test` covers the encoder too.
func TestEncodePolicyRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "policies", "valid", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(file, data)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse(file, encodePolicy(t, p))
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			if diff := cmp.Diff(p, again, policyOpts, cmpopts.IgnoreFields(Gate{}, "Line"), cmpopts.IgnoreFields(DecisionControl{}, "Line")); diff != "" {
				t.Errorf("round trip mismatch (-parsed +re-parsed):\n%s", diff)
			}
		})
	}
}
