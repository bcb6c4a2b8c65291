package report

import "fmt"

// Mirror is c under name, a legacy name (see [CheckNames]) that repeats
// c's outcome for branch protection rules written before names carried
// the base. Only its status and conclusion follow c; its text says where
// the explanation is and nothing else, so its fingerprint changes only
// when the outcome does: a review that changes the count of approvals
// (c's text) rewrites c but not the mirror, and the second check run of
// a pull request into the default branch costs a GitHub write only when
// what branch protection reads changes.
func (c Content) Mirror(name string) Content {
	m := Content{
		Name:       name,
		Status:     c.Status,
		Conclusion: c.Conclusion,
		DetailsURL: c.DetailsURL,
		At:         c.At,
	}
	m.Title = fmt.Sprintf("%s: the explanation is in %s", outcomeWord(c.Status, c.Conclusion), c.Name)
	m.Summary = fmt.Sprintf("`%s` repeats the outcome of `%s` for branch protection rules that require the name without a base branch. "+
		"Its text changes only when the outcome does; the current explanation (controls, approvals, what is missing) is in `%s`.",
		name, c.Name, c.Name)
	return m.sealed()
}

// outcomeWord names a check run's outcome in a word.
func outcomeWord(status, conclusion string) string {
	if status != StatusCompleted {
		return "Pending"
	}
	switch conclusion {
	case ConclusionSuccess:
		return "Open"
	case ConclusionSkipped:
		return "Skipped"
	default:
		return "Failed"
	}
}
