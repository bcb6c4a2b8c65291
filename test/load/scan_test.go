package load

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

// TestPullNumber holds the observer's scan to what decoding the payload
// says, on the simulator's own review webhook and on payloads built to
// mislead it.
func TestPullNumber(t *testing.T) {
	golden, err := os.ReadFile("../../app/githubsim/testdata/golden/hook_pull_request_review_submitted.json")
	must(t, err)
	var p struct {
		PullRequest struct{ Number int } `json:"pull_request"`
	}
	must(t, json.Unmarshal(golden, &p))
	if p.PullRequest.Number == 0 {
		t.Fatal("golden review webhook has no pull_request.number")
	}
	for _, c := range []struct {
		body string
		want int
	}{
		{string(golden), p.PullRequest.Number},
		{`{"number":3,"pull_request":{"head":{"repo":{"number":5}},"number":7}}`, 7},
		{`{"review":{"body":"\"pull_request\":{\"number\":9}"},"pull_request":{"number":4}}`, 4},
		{`{"review":{"pull_request":{"number":9}},"pull_request":{"a":[{"number":1}],"number":12}}`, 12},
		{` { "pull_request" : { "title" : "x\\\"}" , "number" : 42 } } `, 42},
		{`{"pull_request":{"title":"no number"}}`, 0},
		{`{"action":"submitted"}`, 0},
		{`not json`, 0},
		{``, 0},
	} {
		if got := pullNumber([]byte(c.body)); got != c.want {
			t.Errorf("pullNumber(%.60s) = %d, want %d", c.body, got, c.want)
		}
	}
	// A check run's id, as the observer reads it from POST check-runs.
	run, err := os.ReadFile("../../app/githubsim/testdata/golden/rest_check_run.json")
	must(t, err)
	var c struct{ ID int }
	must(t, json.Unmarshal(run, &c))
	for _, body := range []string{string(run), `{"app":{"id":42},"check_suite":{"id":1001},"id":` + strconv.Itoa(c.ID) + `}`} {
		if got := jsonInt([]byte(body), "id"); got != c.ID || c.ID == 0 {
			t.Errorf("jsonInt(%.60s, id) = %d, want %d", body, got, c.ID)
		}
	}
}
