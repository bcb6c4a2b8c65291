package action

import (
	"fmt"
	"io"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
)

// summaryWriter writes the Markdown job summary; the first write error is
// kept and later writes are dropped (the statuses are what counts).
type summaryWriter struct {
	w     io.Writer
	repo  string
	first error
}

func newSummaryWriter(w io.Writer, repo string) *summaryWriter {
	return &summaryWriter{w: w, repo: repo}
}

func (s *summaryWriter) printf(format string, args ...any) {
	if s.w == nil || s.first != nil {
		return
	}
	if _, err := fmt.Fprintf(s.w, format, args...); err != nil {
		s.first = err
	}
}

// pr starts the section of a pull request.
func (s *summaryWriter) pr(res *facts.Result) {
	s.printf("## zgate: %s#%d at `%s`\n\n", s.repo, res.Facts.PullRequest.Number, short(res.HeadSHA))
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// gate writes one gate's report (the App's check-run text).
func (s *summaryWriter) gate(c report.Content, zErr error) {
	s.printf("### `%s` — %s\n\n%s\n", c.Name, c.Title, c.Summary)
	if zErr != nil {
		s.printf("\n> [!WARNING]\n> Z did not complete: %s\n", oneLine(zErr.Error()))
	}
	s.printf("\n")
}

// policy writes the policy check's text, then each annotation as a
// FILE:LINE:COL line (a status cannot carry annotations).
func (s *summaryWriter) policy(res *facts.Result, c report.Content) {
	s.printf("## zgate/policy: %s#%d at `%s`\n\n", s.repo, res.Facts.PullRequest.Number, short(res.HeadSHA))
	s.printf("### `%s` — %s\n\n%s\n", c.Name, c.Title, c.Summary)
	if len(c.Annotations) > 0 {
		s.printf("\n| Level | Problem |\n|---|---|\n")
		for _, a := range c.Annotations {
			s.printf("| %s | `%s` |\n", a.Level, report.OneLine(a.Message, 1000))
		}
	}
	s.printf("\n")
}

// failed notes a pull request that could not be evaluated.
func (s *summaryWriter) failed(pr PRResult) {
	s.printf("## zgate: %s#%d not evaluated\n\n> [!WARNING]\n> %s\n\n", s.repo, pr.Number, oneLine(pr.Err.Error()))
}

// skipped notes a pull request with nothing to report.
func (s *summaryWriter) skipped(pr PRResult) {
	s.printf("## zgate: %s#%d\n\nNothing to report: %s.\n\n", s.repo, pr.Number, pr.Skipped)
}

func (s *summaryWriter) err() error {
	if s.first != nil {
		return fmt.Errorf("job summary: %w", s.first)
	}
	return nil
}

func oneLine(s string) string {
	return report.OneLine(s, 1000)
}
