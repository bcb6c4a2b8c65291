package action

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/zgate-dev/zgate/app/facts"
)

// Target is what an event asks the Action to evaluate.
type Target struct {
	// Numbers are the pull requests to evaluate, when not Open.
	Numbers []int
	// Open means every open pull request whose base is Base (any base when
	// Base is empty).
	Open bool
	Base string
	// Why says, for the log, why the target is what it is.
	Why string
	// MergeGroup is the merge group of a merge_group event, judged
	// instead of pull requests.
	MergeGroup *MergeGroupTarget
}

// event is the part of an event payload the Action reads.
type event struct {
	Number      int `json:"number"`
	PullRequest *struct {
		Number int `json:"number"`
	} `json:"pull_request"`
	Issue *struct {
		Number      int             `json:"number"`
		PullRequest json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	Ref         string `json:"ref"`
	Deleted     bool   `json:"deleted"`
	WorkflowRun *struct {
		PullRequests []struct {
			Number int `json:"number"`
		} `json:"pull_requests"`
	} `json:"workflow_run"`
}

// Targets decides which pull requests the event named name with payload
// names (see the package documentation). An event the Action does not
// handle, or a payload that does not say what it should, is an error
// wrapping [ErrConfig]; an event that concerns no pull request (a comment
// on an issue, a push of a tag or a deleted branch) is an empty Target.
func Targets(name string, payload []byte) (Target, error) {
	switch name {
	case "schedule", "workflow_dispatch":
		return Target{Open: true, Why: name + ": sweep of every open pull request"}, nil
	}
	var ev event
	if len(payload) == 0 {
		return Target{}, fmt.Errorf("%w: %s event without a payload", ErrConfig, name)
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Target{}, fmt.Errorf("%w: %s event payload: %v", ErrConfig, name, err)
	}
	switch name {
	case "merge_group":
		return mergeGroupTarget(payload)
	case "pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment":
		n := ev.Number
		if ev.PullRequest != nil && ev.PullRequest.Number > 0 {
			n = ev.PullRequest.Number
		}
		if n <= 0 {
			return Target{}, fmt.Errorf("%w: %s event names no pull request", ErrConfig, name)
		}
		return Target{Numbers: []int{n}, Why: fmt.Sprintf("%s on #%d", name, n)}, nil
	case "issue_comment":
		if ev.Issue == nil || ev.Issue.Number <= 0 {
			return Target{}, fmt.Errorf("%w: issue_comment event names no issue", ErrConfig)
		}
		if len(ev.Issue.PullRequest) == 0 || string(ev.Issue.PullRequest) == "null" {
			return Target{Why: fmt.Sprintf("issue_comment on issue #%d, not a pull request", ev.Issue.Number)}, nil
		}
		return Target{Numbers: []int{ev.Issue.Number}, Why: fmt.Sprintf("issue_comment on #%d", ev.Issue.Number)}, nil
	case "push":
		branch, ok := strings.CutPrefix(ev.Ref, "refs/heads/")
		if !ok || branch == "" || ev.Deleted {
			return Target{Why: fmt.Sprintf("push of %q: not a branch that can be a base", ev.Ref)}, nil
		}
		return Target{Open: true, Base: branch, Why: "push to " + branch + ": its open pull requests"}, nil
	case "workflow_run":
		// A relay workflow ran on a review (pull_request_review runs the
		// pull request's own workflow, so it only relays). GitHub lists
		// the pull requests of same-repository heads; for a fork's it
		// lists none, and every open pull request is evaluated.
		if ev.WorkflowRun == nil {
			return Target{}, fmt.Errorf("%w: workflow_run event without a workflow_run", ErrConfig)
		}
		var nums []int
		for _, pr := range ev.WorkflowRun.PullRequests {
			if pr.Number > 0 && !slices.Contains(nums, pr.Number) {
				nums = append(nums, pr.Number)
			}
		}
		if len(nums) == 0 {
			return Target{Open: true, Why: "workflow_run naming no pull request: sweep of every open pull request"}, nil
		}
		return Target{Numbers: nums, Why: fmt.Sprintf("workflow_run on %v", nums)}, nil
	}
	return Target{}, fmt.Errorf("%w: event %q is not handled (use pull_request_target, issue_comment, workflow_run, push, merge_group, schedule or workflow_dispatch)", ErrConfig, name)
}

// pushEvent is the part of a pull_request payload that names a push.
type pushEvent struct {
	Action      string `json:"action"`
	Number      int    `json:"number"`
	PullRequest *struct {
		Number int `json:"number"`
		Head   struct {
			SHA string `json:"sha"`
		} `json:"head"`
	} `json:"pull_request"`
	Sender struct {
		Login string `json:"login"`
	} `json:"sender"`
}

// EventPusher returns the push the event names: the sender of a
// pull_request or pull_request_target opened, synchronize or reopened
// event, whom GitHub sets. It is nil for every other event: the Action
// keeps no record, so the pushers of earlier events are unknown to it.
func EventPusher(name string, payload []byte) *facts.EventPush {
	if name != "pull_request" && name != "pull_request_target" {
		return nil
	}
	var ev pushEvent
	if json.Unmarshal(payload, &ev) != nil {
		return nil
	}
	switch ev.Action {
	case "opened", "synchronize", "reopened":
	default:
		return nil
	}
	p := &facts.EventPush{Number: ev.Number, Sender: ev.Sender.Login}
	if ev.PullRequest != nil {
		p.HeadSHA = ev.PullRequest.Head.SHA
		if p.Number == 0 {
			p.Number = ev.PullRequest.Number
		}
	}
	if p.Number <= 0 || p.Sender == "" {
		return nil
	}
	return p
}

// mergeGroupTarget reads a merge_group payload: checks_requested names a
// group to judge; destroyed needs nothing (the Action keeps no state).
func mergeGroupTarget(payload []byte) (Target, error) {
	var ev struct {
		Action     string `json:"action"`
		MergeGroup *struct {
			HeadSHA string `json:"head_sha"`
			HeadRef string `json:"head_ref"`
		} `json:"merge_group"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Target{}, fmt.Errorf("%w: merge_group event payload: %v", ErrConfig, err)
	}
	if ev.MergeGroup == nil || ev.MergeGroup.HeadSHA == "" {
		return Target{}, fmt.Errorf("%w: merge_group event names no merge group", ErrConfig)
	}
	if ev.Action != "checks_requested" {
		return Target{Why: fmt.Sprintf("merge_group %s of %s: nothing to judge", ev.Action, ev.MergeGroup.HeadSHA)}, nil
	}
	return Target{MergeGroup: &MergeGroupTarget{Action: ev.Action, HeadSHA: ev.MergeGroup.HeadSHA, HeadRef: ev.MergeGroup.HeadRef},
		Why: "merge_group checks requested for " + ev.MergeGroup.HeadRef}, nil
}
