package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/zgate-dev/zgate/policy"
)

// inGitHubActions reports whether the process runs as a GitHub Actions
// step (the runner sets GITHUB_ACTIONS=true).
func inGitHubActions(e env) bool {
	return e.getenv != nil && e.getenv("GITHUB_ACTIONS") == "true"
}

// workflowCommand formats an annotation as a GitHub Actions workflow
// command, "::error file=F,line=L,col=C::message", which the runner turns
// into an annotation on the file's line (also in the pull request's
// diff). level is "error", "warning" or "notice"; line and col 0 are left
// out. Values are escaped as the runner's toolkit does, so a message
// cannot end the command or start another.
func workflowCommand(level, file string, line, col int, msg string) string {
	var props []string
	if file != "" {
		props = append(props, "file="+escapeProperty(file))
	}
	if line > 0 {
		props = append(props, fmt.Sprintf("line=%d", line))
		if col > 0 {
			props = append(props, fmt.Sprintf("col=%d", col))
		}
	}
	cmd := "::" + level
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	return cmd + "::" + escapeData(msg)
}

// printProblemCommand writes p as a workflow command: "warning" when its
// message says so (policy.Warnings), "error" otherwise.
func printProblemCommand(w io.Writer, p policy.Problem) {
	level, msg := "error", p.Msg
	if rest, ok := strings.CutPrefix(msg, "warning: "); ok {
		level, msg = "warning", rest
	}
	fmt.Fprintln(w, workflowCommand(level, p.File, p.Line, p.Column, msg))
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func escapeData(s string) string     { return dataEscaper.Replace(s) }
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

// workflowLevel maps a check run annotation level to a workflow command.
func workflowLevel(level string) string {
	switch level {
	case "failure":
		return "error"
	case "warning":
		return "warning"
	}
	return "notice"
}
