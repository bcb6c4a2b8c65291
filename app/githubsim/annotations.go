package githubsim

import (
	"fmt"
	"net/http"
	"slices"
)

// maxAnnotationsPerRequest is GitHub's limit on output.annotations in one
// create or update of a check run; more are sent in further updates,
// each appending to the run's annotations.
const maxAnnotationsPerRequest = 50

// CheckAnnotation is one check run annotation, as GitHub's
// GET .../check-runs/{id}/annotations lists it. StartColumn and EndColumn
// are 0 when not given.
type CheckAnnotation struct {
	Path            string `json:"path"`
	StartLine       int    `json:"start_line"`
	EndLine         int    `json:"end_line"`
	StartColumn     int    `json:"start_column,omitempty"`
	EndColumn       int    `json:"end_column,omitempty"`
	AnnotationLevel string `json:"annotation_level"`
	Title           string `json:"title,omitempty"`
	Message         string `json:"message"`
	RawDetails      string `json:"raw_details,omitempty"`
}

// annotationRequest is one element of output.annotations in a request.
type annotationRequest struct {
	Path            *string `json:"path"`
	StartLine       *int    `json:"start_line"`
	EndLine         *int    `json:"end_line"`
	StartColumn     *int    `json:"start_column"`
	EndColumn       *int    `json:"end_column"`
	AnnotationLevel *string `json:"annotation_level"`
	Message         *string `json:"message"`
	Title           *string `json:"title"`
	RawDetails      *string `json:"raw_details"`
}

var annotationLevels = []string{"notice", "warning", "failure"}

// CheckRunAnnotations returns the annotations of check run id, in the
// order they were added.
func (s *Sim) CheckRunAnnotations(owner, repoName string, id int64) []CheckAnnotation {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return nil
	}
	if r.checkRun(id) == nil {
		return nil
	}
	return slices.Clone(s.annotations[id])
}

// checkAnnotations validates the annotations of a request as GitHub
// does: at most 50, every required field, a known level, lines from 1 with
// end_line >= start_line, and columns only on a one-line annotation.
func checkAnnotations(in []annotationRequest) ([]CheckAnnotation, *response) {
	bad := func(field, msg string) *response {
		resp := invalid("CheckRun", "output.annotations"+field, "invalid", msg)
		return &resp
	}
	if len(in) > maxAnnotationsPerRequest {
		return nil, bad("", fmt.Sprintf("output.annotations: at most %d annotations per request, got %d", maxAnnotationsPerRequest, len(in)))
	}
	out := make([]CheckAnnotation, 0, len(in))
	for i, a := range in {
		at := fmt.Sprintf("[%d]", i)
		if a.Path == nil || a.StartLine == nil || a.EndLine == nil || a.AnnotationLevel == nil || a.Message == nil {
			return nil, bad(at, "path, start_line, end_line, annotation_level and message are required")
		}
		if !slices.Contains(annotationLevels, *a.AnnotationLevel) {
			return nil, bad(at+".annotation_level", "annotation_level is not one of notice, warning, failure")
		}
		if *a.StartLine < 1 || *a.EndLine < *a.StartLine {
			return nil, bad(at+".start_line", "start_line must be at least 1 and end_line at least start_line")
		}
		if (a.StartColumn != nil || a.EndColumn != nil) && *a.StartLine != *a.EndLine {
			return nil, bad(at+".start_column", "start_column and end_column are only allowed when start_line equals end_line")
		}
		ca := CheckAnnotation{Path: *a.Path, StartLine: *a.StartLine, EndLine: *a.EndLine, AnnotationLevel: *a.AnnotationLevel, Message: *a.Message}
		if a.StartColumn != nil {
			ca.StartColumn = *a.StartColumn
		}
		if a.EndColumn != nil {
			ca.EndColumn = *a.EndColumn
		}
		if a.Title != nil {
			ca.Title = *a.Title
		}
		if a.RawDetails != nil {
			ca.RawDetails = *a.RawDetails
		}
		out = append(out, ca)
	}
	return out, nil
}

// listCheckRunAnnotations is GET .../check-runs/{id}/annotations, paged.
func (s *Sim) listCheckRunAnnotations(q *request) response {
	r, c, e := s.routeCheckRun(q)
	if e != nil {
		return *e
	}
	resp := response{status: http.StatusOK}
	resp.body = pageMap(q, s.annotations[c.ID], &resp, func(a CheckAnnotation) map[string]any {
		var sc, ec, title, raw any
		if a.StartColumn != 0 {
			sc = a.StartColumn
		}
		if a.EndColumn != 0 {
			ec = a.EndColumn
		}
		if a.Title != "" {
			title = a.Title
		}
		if a.RawDetails != "" {
			raw = a.RawDetails
		}
		return map[string]any{
			"path": a.Path, "blob_href": fmt.Sprintf("%s/%s/blob/%s/%s", s.base, r.fullName(), c.HeadSHA, a.Path),
			"start_line": a.StartLine, "start_column": sc, "end_line": a.EndLine, "end_column": ec,
			"annotation_level": a.AnnotationLevel, "title": title, "message": a.Message, "raw_details": raw,
		}
	})
	return resp
}
