package attest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// NewStatement returns an in-toto v1 statement about commit c: one subject
// named c.SubjectName() with digests {"sha256": sha256(name), "gitCommit":
// sha}, so that it binds under both forms and GitHub indexes it under
// [SubjectDigests]. predicate must be a JSON object (nil for {}).
func NewStatement(c Commit, predicateType string, predicate json.RawMessage) ([]byte, error) {
	return NewCommitsStatement([]Commit{c}, predicateType, predicate)
}

// NewCommitsStatement is [NewStatement] about several commits, one subject
// each (a merge's decision is about its merge commit and the head it
// merged).
func NewCommitsStatement(commits []Commit, predicateType string, predicate json.RawMessage) ([]byte, error) {
	if len(commits) == 0 {
		return nil, errors.New("statement: no commit")
	}
	if predicateType == "" {
		return nil, errors.New("statement: predicate type is required")
	}
	if len(predicate) == 0 {
		predicate = json.RawMessage(`{}`)
	}
	var obj map[string]any
	if err := json.Unmarshal(predicate, &obj); err != nil {
		return nil, fmt.Errorf("statement: predicate is not a JSON object: %w", err)
	}
	subjects := make([]statementSubject, 0, len(commits))
	for _, c := range commits {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("statement: %w", err)
		}
		name := c.SubjectName()
		subjects = append(subjects, statementSubject{
			Name: name,
			Digest: map[string]string{
				"sha256":    strings.TrimPrefix(sha256Digest(name), "sha256:"),
				"gitCommit": strings.ToLower(c.SHA),
			},
		})
	}
	out, err := json.Marshal(struct {
		Type          string             `json:"_type"`
		Subject       []statementSubject `json:"subject"`
		PredicateType string             `json:"predicateType"`
		Predicate     json.RawMessage    `json:"predicate"`
	}{
		Type:          statementTypeV1,
		Subject:       subjects,
		PredicateType: predicateType,
		Predicate:     predicate,
	})
	if err != nil {
		return nil, fmt.Errorf("statement: %w", err)
	}
	return out, nil
}
