package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/zgate-dev/zgate/policy"
)

// simulateOutput is the --json output of `zgate simulate`: a stable,
// documented subset of policy.Decision (docs/snapshot.md).
type simulateOutput struct {
	Gates []simulateGate `json:"gates"`
}

type simulateGate struct {
	Name     string            `json:"name"`
	State    policy.State      `json:"state"`
	Controls []simulateControl `json:"controls"`
	Missing  []string          `json:"missing"`
	// ExpiresAt is RFC 3339 in UTC, or null.
	ExpiresAt *string           `json:"expires_at"`
	Action    policy.ActionKind `json:"action"`
	// ReviewRequests are the teams the App would ask for a review
	// (request_reviews: teams); absent when none.
	ReviewRequests []string `json:"review_requests,omitempty"`
}

type simulateControl struct {
	ID     string `json:"id"`
	Held   bool   `json:"held"`
	Reason string `json:"reason"`
}

// simulateJSON converts a decision to the --json shape: every gate,
// skipped ones too, with non-null lists.
func simulateJSON(d policy.Decision) simulateOutput {
	out := simulateOutput{Gates: []simulateGate{}}
	for _, g := range d.Gates {
		sg := simulateGate{
			Name:           g.Name,
			State:          g.State,
			Controls:       []simulateControl{},
			Missing:        append([]string{}, g.Missing...),
			Action:         g.Action,
			ReviewRequests: g.ReviewRequests,
		}
		if sg.Action == "" {
			sg.Action = policy.ActionNone
		}
		for _, c := range g.Controls {
			sg.Controls = append(sg.Controls, simulateControl{ID: c.ID, Held: c.Held, Reason: c.Reason})
		}
		if g.ExpiresAt != nil {
			s := g.ExpiresAt.UTC().Format(time.RFC3339)
			sg.ExpiresAt = &s
		}
		out.Gates = append(out.Gates, sg)
	}
	return out
}

func writeSimulateJSON(w io.Writer, d policy.Decision) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(simulateJSON(d)); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// writeSimulateText prints a readable report per gate: its state and
// summary, each control held or not and why, what is missing, the notes,
// when the decision expires and the action.
func writeSimulateText(w io.Writer, d policy.Decision, now time.Time) {
	fmt.Fprintf(w, "evaluated at %s\n", now.UTC().Format(time.RFC3339))
	for _, g := range d.Gates {
		fmt.Fprintf(w, "\n%s: %s\n", g.Check, strings.ToUpper(string(g.State)))
		fmt.Fprintf(w, "  %s\n", g.Summary)
		if g.State == policy.StateSkipped {
			continue
		}
		if len(g.Controls) > 0 {
			fmt.Fprintf(w, "  controls (quorum %d):\n", g.Quorum)
		}
		for _, c := range g.Controls {
			mark := "[ ]"
			if c.Held {
				mark = "[x]"
			}
			id := c.ID
			if c.Required {
				id += " (required)"
			}
			fmt.Fprintf(w, "    %s %s: %s\n", mark, id, c.Reason)
			if !c.Held {
				continue // the reason already lists the notes
			}
			for _, n := range c.Notes {
				fmt.Fprintf(w, "          - %s\n", n)
			}
		}
		writeSimulateList(w, "missing", g.Missing)
		if len(g.ReviewRequests) > 0 {
			fmt.Fprintf(w, "  review requests: %s (the App asks each team once per pull request)\n", strings.Join(g.ReviewRequests, ", "))
		}
		writeSimulateList(w, "notes", g.Notes)
		if g.Override != nil {
			fmt.Fprintf(w, "  override by %s\n", strings.Join(g.Override.By, ", "))
			for i, r := range g.Override.Reasons {
				fmt.Fprintf(w, "    - %s: %s\n", g.Override.By[i], r)
			}
		}
		if g.ExpiresAt != nil {
			fmt.Fprintf(w, "  expires: %s\n", g.ExpiresAt.UTC().Format(time.RFC3339))
		}
		action := g.Action
		if action == "" {
			action = policy.ActionNone
		}
		if g.State == policy.StateSuccess {
			fmt.Fprintf(w, "  action: %s (would run now)\n", action)
		} else {
			fmt.Fprintf(w, "  action: %s (not run)\n", action)
		}
	}
}

func writeSimulateList(w io.Writer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "  %s:\n", title)
	for _, s := range items {
		fmt.Fprintf(w, "    - %s\n", s)
	}
}
