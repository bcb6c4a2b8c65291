package mergequeue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The two GraphQL operations zgate sends, verbatim (the simulator
// answers exactly these).
const (
	EnqueueMutation = `mutation($id:ID!,$sha:GitObjectID!){enqueuePullRequest(input:{pullRequestId:$id,expectedHeadOid:$sha}){mergeQueueEntry{id position state}}}`
	PullStateQuery  = `query($owner:String!,$name:String!,$number:Int!){repository(owner:$owner,name:$name){pullRequest(number:$number){id merged isInMergeQueue headRefOid}}}`
)

// ErrGraphQL is wrapped by errors GitHub answered in the GraphQL
// "errors" array: GitHub refused, nothing happened.
var ErrGraphQL = errors.New("graphql error")

// Endpoint is the GraphQL URL beside a REST base URL: GitHub Enterprise
// Server (and the simulator) serve REST under /api/v3/ and GraphQL at
// /api/graphql; api.github.com serves it at /graphql.
func Endpoint(rest *url.URL) string {
	u := *rest
	if p, ok := strings.CutSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v3"); ok {
		u.Path = p + "/api/graphql"
	} else {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/graphql"
	}
	return u.String()
}

// Entry is the merge queue entry made by [Enqueue].
type Entry struct {
	ID       string `json:"id"`
	Position int    `json:"position"`
	State    string `json:"state"`
}

// Enqueue adds the pull request with node id prID to its base branch's
// merge queue, only while its head is sha (expectedHeadOid).
func Enqueue(ctx context.Context, hc *http.Client, endpoint, prID, sha string) (Entry, error) {
	var out struct {
		EnqueuePullRequest *struct {
			MergeQueueEntry *Entry `json:"mergeQueueEntry"`
		} `json:"enqueuePullRequest"`
	}
	if err := call(ctx, hc, endpoint, EnqueueMutation, map[string]any{"id": prID, "sha": sha}, &out); err != nil {
		return Entry{}, fmt.Errorf("enqueue pull request %s at %s: %w", prID, sha, err)
	}
	if out.EnqueuePullRequest == nil || out.EnqueuePullRequest.MergeQueueEntry == nil {
		return Entry{}, fmt.Errorf("enqueue pull request %s: %w: no merge queue entry in the answer", prID, ErrGraphQL)
	}
	return *out.EnqueuePullRequest.MergeQueueEntry, nil
}

// Pull is what [PullState] reads of a pull request.
type Pull struct {
	ID             string `json:"id"`
	Merged         bool   `json:"merged"`
	IsInMergeQueue bool   `json:"isInMergeQueue"`
	HeadRefOid     string `json:"headRefOid"`
}

// PullState reads whether pull request number is merged or queued.
func PullState(ctx context.Context, hc *http.Client, endpoint, owner, repo string, number int) (Pull, error) {
	var out struct {
		Repository *struct {
			PullRequest *Pull `json:"pullRequest"`
		} `json:"repository"`
	}
	if err := call(ctx, hc, endpoint, PullStateQuery, map[string]any{"owner": owner, "name": repo, "number": number}, &out); err != nil {
		return Pull{}, fmt.Errorf("read %s/%s#%d: %w", owner, repo, number, err)
	}
	if out.Repository == nil || out.Repository.PullRequest == nil {
		return Pull{}, fmt.Errorf("read %s/%s#%d: %w: no pull request in the answer", owner, repo, number, ErrGraphQL)
	}
	return *out.Repository.PullRequest, nil
}

// Error is one entry of a GraphQL answer's "errors".
type Error struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// call posts one GraphQL operation and decodes its data into out.
func call(ctx context.Context, hc *http.Client, endpoint, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("read graphql answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return &HTTPError{Status: resp.StatusCode, Body: string(raw)}
	}
	var ans struct {
		Data   json.RawMessage `json:"data"`
		Errors []Error         `json:"errors"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return fmt.Errorf("decode graphql answer: %w", err)
	}
	if len(ans.Errors) > 0 {
		msgs := make([]string, len(ans.Errors))
		for i, e := range ans.Errors {
			msgs[i] = e.Message
			if e.Type != "" {
				msgs[i] = e.Type + ": " + e.Message
			}
		}
		return fmt.Errorf("%w: %s", ErrGraphQL, strings.Join(msgs, "; "))
	}
	if err := json.Unmarshal(ans.Data, out); err != nil {
		return fmt.Errorf("decode graphql data: %w", err)
	}
	return nil
}

// HTTPError is a GraphQL call answered with a status other than 200. A
// 4xx means GitHub refused it; a 5xx leaves the outcome unknown.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("graphql: status %d: %.200s", e.Status, e.Body)
}
