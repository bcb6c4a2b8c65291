package main

import (
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/action"
	"github.com/zgate-dev/zgate/app/report"
)

func TestWorkflowCommand(t *testing.T) {
	tests := []struct {
		name        string
		level, file string
		line, col   int
		msg, want   string
	}{
		{"full", "error", ".github/zgate.yml", 4, 13, `window: bad duration "soon"`, `::error file=.github/zgate.yml,line=4,col=13::window: bad duration "soon"`},
		{"no column", "warning", "p.yml", 5, 0, "two gates", "::warning file=p.yml,line=5::two gates"},
		{"no line", "error", "p.yml", 0, 7, "too big", "::error file=p.yml::too big"},
		{"no file", "error", "", 0, 0, "x", "::error::x"},
		{"escapes data", "error", "f", 1, 1, "100% bad\nnext::line\r", "::error file=f,line=1,col=1::100%25 bad%0Anext::line%0D"},
		{"escapes properties", "error", "a,b:c%.yml", 1, 0, "m", "::error file=a%2Cb%3Ac%25.yml,line=1::m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := workflowCommand(tt.level, tt.file, tt.line, tt.col, tt.msg); got != tt.want {
				t.Errorf("workflowCommand() = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzWorkflowCommand: whatever the file name and message, the command is
// one line and its properties end at the first "::".
func FuzzWorkflowCommand(f *testing.F) {
	f.Add(".github/zgate.yml", "window: bad\nduration", 3, 4)
	f.Add("a,b::c", "::error::forged", 0, 0)
	f.Fuzz(func(t *testing.T, file, msg string, line, col int) {
		got := workflowCommand("error", file, line, col, msg)
		if strings.ContainsAny(got, "\r\n") {
			t.Fatalf("command spans lines: %q", got)
		}
		rest := strings.TrimPrefix(got, "::error")
		props, data, ok := strings.Cut(rest, "::")
		if !ok {
			t.Fatalf("no data separator: %q", got)
		}
		if strings.Contains(props, ":") && !strings.HasPrefix(props, " ") && props != "" {
			t.Fatalf("properties %q hold a colon", props)
		}
		if unescape(data) != msg {
			t.Fatalf("data %q does not round-trip to %q", data, msg)
		}
	})
}

func unescape(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

// TestValidateInGitHubActions: with GITHUB_ACTIONS=true every problem and
// warning is also printed as a workflow command, and the exit codes stay.
func TestValidateInGitHubActions(t *testing.T) {
	gha := mapEnv(map[string]string{"GITHUB_ACTIONS": "true"})
	code, stdout, _ := runCmd(t, "version: 1\ngates:\n  - name: prod\n    window: soon\n", gha, "validate", "-")
	want := "<stdin>:4:13: window: bad duration \"soon\": want e.g. 24h, 90m, 7d or 2d12h\n" +
		"::error file=<stdin>,line=4,col=13::window: bad duration \"soon\": want e.g. 24h, 90m, 7d or 2d12h\n"
	if code != exitFailed || stdout != want {
		t.Errorf("invalid: exit %d, stdout\n%s\nwant exit %d, stdout\n%s", code, stdout, exitFailed, want)
	}
	code, stdout, _ = runCmd(t, "version: 1\ngates:\n  - name: docs\n    then: {merge: {method: squash}}\n  - name: production\n    then: {merge: {method: rebase}}\n", gha, "validate", "-")
	if code != exitOK || !strings.Contains(stdout, "\n::warning file=<stdin>,line=5::gates \"docs\" (line 3)") || !strings.HasSuffix(stdout, "<stdin>: ok\n") {
		t.Errorf("warnings: exit %d, stdout\n%s", code, stdout)
	}
	// Outside Actions: no workflow command.
	_, stdout, _ = runCmd(t, "version: 1\ngates:\n  - name: prod\n    window: soon\n", mapEnv(map[string]string{"GITHUB_ACTIONS": "false"}), "validate", "-")
	if strings.Contains(stdout, "::error") {
		t.Errorf("workflow command printed outside GitHub Actions:\n%s", stdout)
	}
}

// TestPrintActionPolicyCheck: `zgate action` prints the policy status and,
// inside GitHub Actions, each of its annotations as a workflow command.
func TestPrintActionPolicyCheck(t *testing.T) {
	res := action.Result{PRs: []action.PRResult{{
		Number:      7,
		PolicyCheck: &action.Status{Context: "zgate/policy: main", State: "failure", Description: "Policy does not load: 1 problem in .github/zgate.yml"},
		PolicyAnnotations: []report.Annotation{{Path: ".github/zgate.yml", StartLine: 12, EndLine: 12, StartColumn: 13, EndColumn: 13, Level: report.LevelFailure,
			Message: ".github/zgate.yml:12:13: window: bad duration"}},
		Skipped: "no zgate policy on the base branch main",
	}}}
	var b strings.Builder
	printActionResult(&b, res, true)
	want := "zgate: \n#7 \"zgate/policy: main\" failure: Policy does not load: 1 problem in .github/zgate.yml\n" +
		"::error file=.github/zgate.yml,line=12,col=13::.github/zgate.yml:12:13: window: bad duration\n" +
		"#7: no zgate policy on the base branch main\n"
	if b.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	printActionResult(&b, res, false)
	if strings.Contains(b.String(), "::error") {
		t.Errorf("workflow command outside GitHub Actions:\n%s", b.String())
	}
}
