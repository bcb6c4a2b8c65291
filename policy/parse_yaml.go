package policy

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// keyValues is a decoded YAML mapping: its known keys and their value nodes.
type keyValues map[string]*yaml.Node

// get returns the value of key, or nil when the key is absent or null: a key
// set to null (`key:` or `key: ~`) means the same as an absent key.
func (f keyValues) get(key string) *yaml.Node {
	v := f[key]
	if v == nil || isNull(v) {
		return nil
	}
	return v
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// mapping checks that n is a mapping whose keys are all in known and none
// repeated, reporting every other key. what names n in messages.
func (d *policyDecoder) mapping(n *yaml.Node, what string, known []string) (keyValues, bool) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, what, "a mapping")
		return nil, false
	}
	f := keyValues{}
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			if k.Kind != yaml.AliasNode { // aliases are reported once, elsewhere
				d.errorf(k, "%s: keys must be plain strings", what)
			}
			continue
		}
		if prev, dup := first[k.Value]; dup {
			d.errorf(k, "%s: duplicate key %q (first at line %d)", what, k.Value, prev.Line)
			continue
		}
		first[k.Value] = k
		if !slices.Contains(known, k.Value) {
			d.errorf(k, "%s: unknown key %q; want one of %s", what, k.Value, strings.Join(known, ", "))
			continue
		}
		f[k.Value] = v
	}
	return f, true
}

// str decodes a scalar as text. Integers and floats are accepted with their
// literal text (a label "2024", a branch "1.10"); booleans, null and
// collections are not strings.
func (d *policyDecoder) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float":
			return n.Value, true
		}
	}
	d.wrongType(n, what, "a string")
	return "", false
}

// integer decodes an integer scalar.
func (d *policyDecoder) integer(n *yaml.Node, what string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.wrongType(n, what, "an integer")
		return 0, false
	}
	var v int
	if err := n.Decode(&v); err != nil {
		d.errorf(n, "%s: integer %s out of range", what, n.Value)
		return 0, false
	}
	return v, true
}

// boolean decodes a true/false scalar.
func (d *policyDecoder) boolean(n *yaml.Node, what string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.wrongType(n, what, "true or false")
		return false, false
	}
	var v bool
	if err := n.Decode(&v); err != nil {
		d.errorf(n, "%s: want true or false, got %q", what, n.Value)
		return false, false
	}
	return v, true
}

// sequence checks that n is a list and returns its items.
func (d *policyDecoder) sequence(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		d.wrongType(n, what, "a list")
		return nil, false
	}
	return n.Content, true
}

// listItem is one string of a list, with its node for positions.
type listItem struct {
	val  string
	node *yaml.Node
	what string
}

// strings decodes a list of non-empty strings; bad items are reported and
// left out.
func (d *policyDecoder) strings(n *yaml.Node, what string) []listItem {
	nodes, ok := d.sequence(n, what)
	if !ok {
		return nil
	}
	items := make([]listItem, 0, len(nodes))
	for i, c := range nodes {
		w := fmt.Sprintf("%s[%d]", what, i)
		s, ok := d.str(c, w)
		if !ok {
			continue
		}
		if s == "" {
			d.errorf(c, "%s: empty string", w)
			continue
		}
		items = append(items, listItem{val: s, node: c, what: w})
	}
	return items
}

// stringMap decodes a mapping of names to scalar values (dispatch inputs,
// client payload); each value is kept as its literal text.
func (d *policyDecoder) stringMap(n *yaml.Node, what string) (map[string]string, map[string]*yaml.Node) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, what, "a mapping")
		return nil, nil
	}
	vals := map[string]string{}
	nodes := map[string]*yaml.Node{}
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key, ok := d.str(k, what+" key")
		if !ok {
			continue
		}
		if prev, dup := first[key]; dup {
			d.errorf(k, "%s: duplicate key %q (first at line %d)", what, key, prev.Line)
			continue
		}
		first[key] = k
		w := what + "." + key
		if v.Kind != yaml.ScalarNode || isNull(v) {
			d.wrongType(v, w, "a string")
			continue
		}
		vals[key] = v.Value
		nodes[key] = v
	}
	return vals, nodes
}

// wrongType reports that n is not of the wanted kind.
func (d *policyDecoder) wrongType(n *yaml.Node, what, want string) {
	if n.Kind == yaml.AliasNode {
		return // reported once by rejectAliases
	}
	d.errorf(n, "%s: want %s, got %s", what, want, describeNode(n))
}

// describeNode names the kind of a node for messages.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean (" + n.Value + ")"
		case "!!int":
			return "an integer (" + n.Value + ")"
		case "!!float":
			return "a number (" + n.Value + ")"
		case "!!str":
			return fmt.Sprintf("a string (%q)", n.Value)
		}
		return "a value tagged " + n.ShortTag()
	}
	return "an unexpected YAML node"
}
