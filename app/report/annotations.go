package report

import (
	"fmt"
	"hash"

	"github.com/google/go-github/v62/github"
)

// MaxAnnotationsPerRequest is GitHub's limit on the annotations of one
// create or update of a check run; the publisher sends the rest in
// further updates, which GitHub appends.
const MaxAnnotationsPerRequest = 50

// Annotation levels GitHub knows.
const (
	LevelNotice  = "notice"
	LevelWarning = "warning"
	LevelFailure = "failure"
)

// Annotation is one check run annotation: a message on lines of a file.
type Annotation struct {
	Path      string
	StartLine int
	EndLine   int
	// StartColumn and EndColumn are 0 when unknown; GitHub accepts them
	// only on a one-line annotation.
	StartColumn int
	EndColumn   int
	Level       string
	Message     string
	Title       string
}

func (a Annotation) hash(h hash.Hash) {
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00%d\x00%d\x00%s\x00%s\x00%s\x00", a.Path, a.StartLine, a.EndLine, a.StartColumn, a.EndColumn, a.Level, a.Message, a.Title)
}

// github is the annotation as GitHub's output.annotations takes it.
func (a Annotation) github() *github.CheckRunAnnotation {
	start := max(a.StartLine, 1) // GitHub wants lines from 1
	end := max(a.EndLine, start)
	g := &github.CheckRunAnnotation{
		Path: github.String(a.Path), StartLine: github.Int(start), EndLine: github.Int(end),
		AnnotationLevel: github.String(a.Level), Message: github.String(a.Message),
	}
	if start == end && a.StartColumn > 0 {
		g.StartColumn = github.Int(a.StartColumn)
		g.EndColumn = github.Int(max(a.EndColumn, a.StartColumn))
	}
	if a.Title != "" {
		g.Title = github.String(a.Title)
	}
	return g
}

// annotationBatches splits the annotations into GitHub's requests of at
// most [MaxAnnotationsPerRequest].
func annotationBatches(as []Annotation) [][]*github.CheckRunAnnotation {
	var out [][]*github.CheckRunAnnotation
	for len(as) > 0 {
		n := min(len(as), MaxAnnotationsPerRequest)
		batch := make([]*github.CheckRunAnnotation, n)
		for i := range n {
			batch[i] = as[i].github()
		}
		out = append(out, batch)
		as = as[n:]
	}
	return out
}
