package report

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// Check run statuses and conclusions zgate uses.
const (
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"

	ConclusionSuccess = "success"
	ConclusionFailure = "failure"
	ConclusionSkipped = "skipped"
	ConclusionNeutral = "neutral"
)

// maxSummary is GitHub's limit on a check run summary, in characters.
const maxSummary = 65535

// Content is one rendered check run.
type Content struct {
	// Name is the check name, "zgate/<gate>: <base>" (see [CheckName]).
	Name string
	// Status is StatusInProgress or StatusCompleted.
	Status string
	// Conclusion is set when Status is StatusCompleted.
	Conclusion string
	Title      string
	// Summary is Markdown.
	Summary    string
	DetailsURL string
	// Annotations point at lines of files (the policy check's problems);
	// see [Publisher.Publish] for how they are sent.
	Annotations []Annotation
	// Fingerprint hashes every field above; an unchanged fingerprint means
	// the check run need not be rewritten.
	Fingerprint string
	// At is when the content was rendered (started_at / completed_at); it
	// is not part of the fingerprint.
	At time.Time
}

// Options are the parts of a check run that do not come from the decision.
type Options struct {
	// DetailsURL links the check run to zgate's details page.
	DetailsURL string
	// Now stamps the check run; it never appears in the text.
	Now time.Time
	// Execution is the Z already run for this gate and head commit, if any,
	// so the check run says what Z did.
	Execution *store.Execution
	// WaitsFor are the other applicable gates a merge by this gate waits
	// for (policy.MergeWaitsFor): the check says so instead of promising a
	// merge.
	WaitsFor []policy.GateDecision
}

// CheckRun renders the check run of one gate. res supplies the gate's
// definition (Z's method or workflow) and the pull request; it may be nil.
func CheckRun(res *facts.Result, d policy.GateDecision, o Options) Content {
	var gate *policy.Gate
	if res != nil && res.Policy != nil {
		for i := range res.Policy.Gates {
			if res.Policy.Gates[i].Name == d.Name {
				gate = &res.Policy.Gates[i]
				break
			}
		}
	}
	c := Content{
		Name:       checkName(res, d),
		Title:      title(d, o.WaitsFor),
		Summary:    summary(res, gate, d, o.Execution, o.WaitsFor),
		DetailsURL: o.DetailsURL,
		At:         o.Now,
	}
	c.Status, c.Conclusion = statusOf(d.State)
	return c.sealed()
}

// WithName returns the content under another check name, re-fingerprinted
// (to fail every gate of an unloadable policy with the same text).
func (c Content) WithName(name string) Content {
	c.Name = name
	return c.sealed()
}

// checkName is the per-base name when the base is known (every caller
// that publishes has it); the decision's own name otherwise (`zgate
// simulate`, tests).
func checkName(res *facts.Result, d policy.GateDecision) string {
	if res != nil && res.BaseRef != "" {
		return CheckName(d.Name, res.BaseRef)
	}
	if d.Check != "" {
		return d.Check
	}
	if d.Name == "" {
		return policy.ErrorCheckName
	}
	return policy.CheckPrefix + d.Name
}

// statusOf maps a gate state to a check run status and conclusion (see the
// package documentation).
func statusOf(s policy.State) (status, conclusion string) {
	switch s {
	case policy.StateSuccess:
		return StatusCompleted, ConclusionSuccess
	case policy.StatePending:
		return StatusInProgress, ""
	case policy.StateSkipped:
		return StatusCompleted, ConclusionSkipped
	default: // failure, error, and any state this code does not know
		return StatusCompleted, ConclusionFailure
	}
}

// sealed truncates the summary to GitHub's limit and sets the fingerprint.
func (c Content) sealed() Content {
	c.Summary = truncate(c.Summary, maxSummary)
	h := sha256.New()
	for _, s := range []string{c.Name, c.Status, c.Conclusion, c.Title, c.Summary, c.DetailsURL} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, a := range c.Annotations {
		a.hash(h)
	}
	c.Fingerprint = hex.EncodeToString(h.Sum(nil))
	return c
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	return cut(s, n, "\n\n… (truncated)")
}

// truncateLine cuts a one-line s to at most n runes, ending in "…".
func truncateLine(s string, n int) string { return cut(s, n, "…") }

func cut(s string, n int, mark string) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-len([]rune(mark))]) + mark
}
