package githubsim

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// workflowFile is the part of a GitHub Actions workflow a dispatch
// looks at.
type workflowFile struct {
	Name    string `yaml:"name"`
	RunName string `yaml:"run-name"`
	On      yaml.Node
}

// dispatchInput is one declared workflow_dispatch input.
type dispatchInput struct {
	Required bool `yaml:"required"`
	Default  any  `yaml:"default"`
}

// workflowSpec is what a dispatch is checked against: nil inputs means
// the workflow declares none.
type workflowSpec struct {
	name, runName string
	dispatchable  bool
	inputs        map[string]dispatchInput
}

// loadWorkflow reads .github/workflows/<id> at the commit. found is false
// when the file does not exist: the simulator then accepts any dispatch,
// so tests need not write workflows.
func loadWorkflow(c *commit, id string) (spec workflowSpec, found bool, err error) {
	src, found := c.tree[".github/workflows/"+id]
	if !found {
		return workflowSpec{}, false, nil
	}
	var wf workflowFile
	if err := yaml.Unmarshal([]byte(src), &wf); err != nil {
		return workflowSpec{}, true, fmt.Errorf("workflow %s: %w", id, err)
	}
	spec = workflowSpec{name: wf.Name, runName: wf.RunName}
	on := wf.On
	switch on.Kind {
	case yaml.ScalarNode:
		spec.dispatchable = on.Value == "workflow_dispatch"
	case yaml.SequenceNode:
		for _, n := range on.Content {
			spec.dispatchable = spec.dispatchable || n.Value == "workflow_dispatch"
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(on.Content); i += 2 {
			if on.Content[i].Value != "workflow_dispatch" {
				continue
			}
			spec.dispatchable = true
			var wd struct {
				Inputs map[string]dispatchInput `yaml:"inputs"`
			}
			if err := on.Content[i+1].Decode(&wd); err != nil {
				return workflowSpec{}, true, fmt.Errorf("workflow %s: workflow_dispatch: %w", id, err)
			}
			spec.inputs = wd.Inputs
		}
	}
	return spec, true, nil
}

// check returns GitHub's 422 message for inputs the workflow does not
// accept, or "".
func (w workflowSpec) check(inputs map[string]any) string {
	if !w.dispatchable {
		return "Workflow does not have 'workflow_dispatch' trigger"
	}
	var unexpected []string
	for k := range inputs {
		if _, ok := w.inputs[k]; !ok {
			unexpected = append(unexpected, k)
		}
	}
	if len(unexpected) > 0 {
		slices.Sort(unexpected)
		return fmt.Sprintf("Unexpected inputs provided: [%q]", strings.Join(unexpected, `", "`))
	}
	for _, k := range sortedKeys(w.inputs) {
		if in := w.inputs[k]; in.Required && in.Default == nil && inputs[k] == nil {
			return fmt.Sprintf("Required input '%s' not provided", k)
		}
	}
	return ""
}

var inputExpr = regexp.MustCompile(`\$\{\{\s*(?:github\.event\.)?inputs\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}`)

// renderRunName evaluates a run-name's ${{ inputs.X }} expressions (the
// only ones the simulator knows; others stay as written).
func renderRunName(tmpl string, inputs map[string]any) string {
	return inputExpr.ReplaceAllStringFunc(tmpl, func(m string) string {
		k := inputExpr.FindStringSubmatch(m)[1]
		if v, ok := inputs[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	})
}
