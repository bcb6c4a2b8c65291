package policy

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"text/template/parse"
)

// MaxTemplateOutput bounds what one dispatch input or client payload
// template may produce, in bytes (GitHub caps a whole dispatch payload at
// 64 KiB).
const MaxTemplateOutput = 64 << 10

// errTemplateTooLong is returned when a template's output passes
// MaxTemplateOutput.
var errTemplateTooLong = errors.New("output longer than the limit")

// RenderTemplate executes one dispatch input or client payload template of
// a policy over data. It applies the same restrictions [Parse] checks: no
// {{range}}, {{template}}, {{define}} or {{block}} (so execution always
// ends), a missing field is an error, and the output is at most
// [MaxTemplateOutput] bytes.
func RenderTemplate(text string, data TemplateData) (string, error) {
	t, err := parseTemplate(text)
	if err != nil {
		return "", err
	}
	w := &limitedBuffer{limit: MaxTemplateOutput}
	if err := t.Execute(w, data); err != nil {
		if errors.Is(err, errTemplateTooLong) {
			return "", fmt.Errorf("template output longer than %d bytes", MaxTemplateOutput)
		}
		return "", fmt.Errorf("bad template: %s", execMessage(err))
	}
	return w.buf.String(), nil
}

// execMessageRE picks the useful part of text/template's execution errors
// ("template: input:1:6: executing "input" at <.PR.Nubmer>: can't
// evaluate field Nubmer in type struct {...}").
var execMessageRE = regexp.MustCompile(`executing "input" at <([^>]*)>: (.*?)(?: in type .*)?$`)

// execMessage shortens an execution error to "<.PR.Nubmer>: can't evaluate
// field Nubmer".
func execMessage(err error) string {
	if m := execMessageRE.FindStringSubmatch(err.Error()); m != nil {
		return "<" + m[1] + ">: " + m[2]
	}
	return strings.TrimPrefix(err.Error(), "template: ")
}

// sampleTemplateData is what Parse executes templates over, so that a
// misspelled field fails at validation rather than when Z fires.
func sampleTemplateData() TemplateData {
	var d TemplateData
	d.Repository = "acme/payments"
	d.Gate = "production"
	d.PR.Number = 42
	d.PR.HeadSHA = "0123456789abcdef0123456789abcdef01234567"
	d.PR.Base = "main"
	d.PR.Author = "alice"
	return d
}

// checkTemplate reports why a template would not render.
func checkTemplate(text string) error {
	_, err := RenderTemplate(text, sampleTemplateData())
	return err
}

// parseTemplate parses text and rejects the constructs that can loop or
// recurse.
func parseTemplate(text string) (*template.Template, error) {
	t, err := template.New("input").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("bad template: %s", strings.TrimPrefix(err.Error(), "template: "))
	}
	if len(t.Templates()) > 1 {
		return nil, errors.New("bad template: {{define}} and {{block}} are not supported")
	}
	if t.Tree == nil || t.Tree.Root == nil {
		return t, nil
	}
	if err := checkTemplateNodes(t.Tree.Root); err != nil {
		return nil, err
	}
	return t, nil
}

func checkTemplateNodes(n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkTemplateNodes(c); err != nil {
				return err
			}
		}
	case *parse.IfNode:
		return checkBranch(&n.BranchNode)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode)
	case *parse.RangeNode:
		return errors.New("bad template: {{range}} is not supported")
	case *parse.TemplateNode:
		return errors.New("bad template: {{template}} is not supported")
	}
	return nil
}

func checkBranch(b *parse.BranchNode) error {
	if err := checkTemplateNodes(b.List); err != nil {
		return err
	}
	if b.ElseList != nil {
		return checkTemplateNodes(b.ElseList)
	}
	return nil
}

// limitedBuffer fails writes past its limit, which stops the template.
type limitedBuffer struct {
	buf   bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > b.limit {
		return 0, errTemplateTooLong
	}
	return b.buf.Write(p)
}
