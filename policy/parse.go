package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"
)

// MaxFileSize is the largest policy file [Parse] accepts, in bytes. A gate
// policy is a few kilobytes; anything near this size is a mistake or an
// attack, and is rejected rather than decoded.
const MaxFileSize = 1 << 20

// SchemaVersion is the only policy file version this package reads.
const SchemaVersion = 1

// MaxProblems is how many problems [Parse] lists before one last entry
// saying how many more it found, so a broken generated file cannot flood a
// terminal or a check run.
const MaxProblems = 100

var rootKeys = []string{"version", "gates"}

// Parse decodes and validates a gate policy file (.github/zgate.yml). file
// names the file in problems; data is its content. Parse applies the
// defaults documented in docs/policy.md and compiles every pattern and
// regular expression, so a returned *Policy is ready for [Evaluate].
//
// When the file is invalid, Parse returns a nil *Policy and a [ProblemList]
// holding every problem it found, each with its line and column, sorted by
// position. The error wraps [ErrInvalid].
func Parse(file string, data []byte) (*Policy, error) {
	d := &policyDecoder{file: file}
	p := d.document(data)
	if len(d.problems) > 0 {
		sort.SliceStable(d.problems, func(i, j int) bool {
			a, b := d.problems[i], d.problems[j]
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Column < b.Column
		})
		if len(d.problems) > MaxProblems {
			rest := d.problems[MaxProblems]
			d.problems = append(d.problems[:MaxProblems], Problem{File: file, Line: rest.Line, Column: rest.Column,
				Msg: fmt.Sprintf("too many problems: %d more not shown", len(d.problems)-MaxProblems)})
		}
		return nil, d.problems
	}
	p.File = file
	return p, nil
}

// policyDecoder walks the YAML node tree of one policy file and collects
// every problem instead of stopping at the first.
type policyDecoder struct {
	file     string
	problems ProblemList
}

// errorf records a problem at node n.
func (d *policyDecoder) errorf(n *yaml.Node, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// errorAt records a problem at an explicit position (0 when unknown).
func (d *policyDecoder) errorAt(line, col int, msg string) {
	d.problems = append(d.problems, Problem{File: d.file, Line: line, Column: col, Msg: msg})
}

// document decodes the whole file into a Policy. The result is only
// meaningful when no problem was recorded.
func (d *policyDecoder) document(data []byte) *Policy {
	root := d.load(data)
	if root == nil {
		return nil
	}
	d.rejectAliases(root)
	m, ok := d.mapping(root, "policy", rootKeys)
	if !ok {
		return nil
	}
	p := &Policy{}
	if v := m.get("version"); v == nil {
		d.errorf(root, "missing version: want version: %d", SchemaVersion)
	} else if n, ok := d.integer(v, "version"); ok {
		if n != SchemaVersion {
			d.errorf(v, "version: unsupported version %d: this zgate reads version %d", n, SchemaVersion)
		}
		p.Version = n
	}
	if v := m.get("gates"); v == nil {
		d.errorf(root, "missing gates: a policy needs at least one gate")
	} else {
		p.Gates = d.gates(v)
	}
	return p
}

// load parses the YAML text into the root node of its only document.
func (d *policyDecoder) load(data []byte) (root *yaml.Node) {
	if len(data) > MaxFileSize {
		d.errorAt(0, 0, fmt.Sprintf("policy file is %s, more than the %s allowed", FormatSize(int64(len(data))), FormatSize(MaxFileSize)))
		return nil
	}
	// yaml.v3 is the one piece of this package that is not ours; a panic
	// inside it on hostile input must still end as a reported problem.
	defer func() {
		if r := recover(); r != nil {
			d.errorAt(0, 0, fmt.Sprintf("invalid YAML: policyDecoder failed: %v", r))
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorAt(1, 1, fmt.Sprintf("empty policy file: want version: %d and gates", SchemaVersion))
			return nil
		}
		d.syntaxError(err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorf(&extra, "a second YAML document: a policy file holds exactly one")
	} else if !errors.Is(err, io.EOF) {
		d.syntaxError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		d.errorAt(1, 1, "invalid YAML: no document")
		return nil
	}
	return doc.Content[0]
}

// yamlLineRE pulls the line out of yaml.v3's syntax errors
// ("yaml: line 3: did not find expected key"); they carry no column.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *policyDecoder) syntaxError(err error) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, convErr := strconv.Atoi(m[1])
		if convErr == nil {
			d.errorAt(line, 0, "invalid YAML: "+m[2])
			return
		}
	}
	d.errorAt(0, 0, "invalid YAML: "+trimYAMLPrefix(msg))
}

func trimYAMLPrefix(s string) string {
	const prefix = "yaml: "
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):]
	}
	return s
}

// rejectAliases reports every alias. Aliases would let a small file expand
// into a huge tree, and a value defined elsewhere makes the reported
// positions lie; a policy is short enough to write values out.
func (d *policyDecoder) rejectAliases(n *yaml.Node) {
	if n.Kind == yaml.AliasNode {
		d.errorf(n, "YAML aliases (*%s) are not supported: write the value out", n.Value)
		return
	}
	for _, c := range n.Content {
		d.rejectAliases(c)
	}
}
