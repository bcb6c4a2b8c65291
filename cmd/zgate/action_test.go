package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// actionSim starts the simulator with acme/payments gated by the policy
// file, opens PR #1 and returns the environment a workflow would see.
func actionSim(t *testing.T, policyFile string) (*githubsim.Sim, map[string]string, string) {
	t.Helper()
	env := ghclienttest.New(t, nil)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "action", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	sim := env.Sim
	if err := sim.CreateRepo("acme", "payments", map[string]string{
		".github/zgate.yml":        read(policyFile),
		".github/CODEOWNERS":       read("CODEOWNERS"),
		"deploy/prod/payments.yml": "replicas: 3\n",
	}); err != nil {
		t.Fatal(err)
	}
	for _, tm := range [][2]string{{"sre", "carol"}, {"security", "dave"}} {
		if err := sim.AddTeamMember("acme", tm[0], tm[1], "active"); err != nil {
			t.Fatal(err)
		}
	}
	head, err := sim.Push("acme", "payments", "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 5\n"}, nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.OpenPR("acme", "payments", githubsim.PROptions{Head: "scale", Base: "main", Title: "scale", Author: "alice"}); err != nil {
		t.Fatal(err)
	}
	app, err := env.Apps.App()
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := app.Apps.CreateInstallationToken(context.Background(), sim.InstallationID("acme"), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return sim, map[string]string{
		"GITHUB_EVENT_NAME":   "pull_request_review",
		"GITHUB_EVENT_PATH":   filepath.Join("testdata", "action", "pull_request.json"),
		"GITHUB_REPOSITORY":   "acme/payments",
		"GITHUB_API_URL":      env.Server.URL + "/api/v3",
		"GITHUB_SERVER_URL":   "https://github.example",
		"GITHUB_RUN_ID":       "77",
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
		"GITHUB_TOKEN":        tok.GetToken(),
	}, head
}

func runActionCmd(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCmd(t, "", mapEnv(vars), append([]string{"action"}, args...)...)
}

func TestActionMergesWithFakeEvent(t *testing.T) {
	sim, vars, head := actionSim(t, "zgate.yml")
	code, stdout, stderr := runActionCmd(t, vars)
	if code != exitOK {
		t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
	if want := `#1 "zgate/production: main" pending: Pending: 0 of 2 controls hold (quorum 2)`; !strings.Contains(stdout, want) {
		t.Errorf("stdout = %q, want it to contain %q", stdout, want)
	}
	for _, u := range []string{"carol", "dave"} {
		if _, err := sim.SubmitReview("acme", "payments", 1, u, "APPROVE", ""); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := runActionCmd(t, vars); code != exitOK {
		t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
	pr, err := sim.PullRequest("acme", "payments", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Merged {
		t.Fatal("PR not merged")
	}
	latest := map[string]githubsim.Status{}
	for _, st := range sim.Statuses("acme", "payments", head) {
		latest[st.Context] = st
	}
	for _, c := range []string{"zgate/production: main", "zgate/production"} {
		if st := latest[c]; st.State != "success" || st.TargetURL != "https://github.example/acme/payments/actions/runs/77" {
			t.Errorf("status %s = %+v, want success linked to run 77", c, st)
		}
	}
	summary, err := os.ReadFile(vars["GITHUB_STEP_SUMMARY"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## zgate: acme/payments#1", "zgate/production", "Done (merge"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("job summary lacks %q:\n%s", want, summary)
		}
	}
}

func TestActionDryRunFlag(t *testing.T) {
	sim, vars, _ := actionSim(t, "zgate.yml")
	for _, u := range []string{"carol", "dave"} {
		if _, err := sim.SubmitReview("acme", "payments", 1, u, "APPROVE", ""); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := runActionCmd(t, vars, "--dry-run"); code != exitOK {
		t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
	if pr, err := sim.PullRequest("acme", "payments", 1); err != nil || pr.Merged {
		t.Fatalf("dry run: merged = %v, err = %v; want not merged", pr.Merged, err)
	}
}

func TestActionPolicyErrorExitsOne(t *testing.T) {
	sim, vars, head := actionSim(t, "broken.yml")
	code, _, stderr := runActionCmd(t, vars)
	if code != exitFailed {
		t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, exitFailed, stderr)
	}
	found := false
	for _, s := range sim.Statuses("acme", "payments", head) {
		found = found || s.Context == "zgate" && s.State == "error"
	}
	if !found {
		t.Errorf("no error status \"zgate\" on the head: %+v", sim.Statuses("acme", "payments", head))
	}
}

func TestActionRefusesBadConfig(t *testing.T) {
	base := map[string]string{
		"GITHUB_EVENT_NAME": "schedule",
		"GITHUB_REPOSITORY": "acme/payments",
		"GITHUB_API_URL":    "http://127.0.0.1:1/api/v3",
		"GITHUB_TOKEN":      "t",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name    string
		vars    map[string]string
		args    []string
		wantErr string
	}{
		{"no token", with("GITHUB_TOKEN", ""), nil, "no token"},
		{"no event", with("GITHUB_EVENT_NAME", ""), nil, "no event name"},
		{"no repository", with("GITHUB_REPOSITORY", ""), nil, "no repository"},
		{"bad repository flag", base, []string{"--repo", "acme"}, "not owner/repo"},
		{"unhandled event", with("GITHUB_EVENT_NAME", "release"), []string{"--event-path", filepath.Join("testdata", "action", "pull_request.json")}, "not handled"},
		{"unreadable event", with("GITHUB_EVENT_PATH", filepath.Join("testdata", "action", "missing.json")), nil, "read the event payload"},
		{"unreadable trusted root", with("ZGATE_TRUSTED_ROOT", filepath.Join("testdata", "action", "missing.json")), nil, "trusted root"},
		{"bad trusted root", base, []string{"--trusted-root", filepath.Join("testdata", "action", "CODEOWNERS")}, "trusted root"},
		{"bad log level", base, []string{"--log-level", "loud"}, "--log-level"},
		{"stray argument", base, []string{"now"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runActionCmd(t, tt.vars, tt.args...)
			if code != exitUsage {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr = %q, want it to mention %q", stderr, tt.wantErr)
			}
		})
	}
}

func TestExecutionID(t *testing.T) {
	id, err := executionID("77")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "zg-77-") || len(id) != len("zg-77-")+12 {
		t.Errorf("executionID(77) = %q, want zg-77-<12 hex>", id)
	}
	if got := runURL("", "acme/payments", "5"); got != "https://github.com/acme/payments/actions/runs/5" {
		t.Errorf("runURL = %q", got)
	}
	if got := runURL("https://ghe.example/", "acme/payments", ""); got != "" {
		t.Errorf("runURL without a run id = %q, want empty", got)
	}
}

// TestActionIdentity: whose markers are trusted defaults to the workflow
// token's bot only when the token is the workflow token.
func TestActionIdentity(t *testing.T) {
	base := map[string]string{"GITHUB_EVENT_NAME": "schedule", "GITHUB_REPOSITORY": "acme/payments"}
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"workflow token", map[string]string{"GITHUB_TOKEN": "t"}, nil, "github-actions[bot]"},
		{"another token: learnt", map[string]string{"ZGATE_TOKEN": "t", "GITHUB_TOKEN": "g"}, nil, ""},
		{"variable", map[string]string{"ZGATE_TOKEN": "t", "ZGATE_IDENTITY": "zgate-acme[bot]"}, nil, "zgate-acme[bot]"},
		{"flag wins", map[string]string{"GITHUB_TOKEN": "t", "ZGATE_IDENTITY": "x[bot]"}, []string{"--identity", "y[bot]"}, "y[bot]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{}
			for k, v := range base {
				vars[k] = v
			}
			for k, v := range tt.vars {
				vars[k] = v
			}
			fs := flag.NewFlagSet("action", flag.ContinueOnError)
			var f actionFlags
			fs.StringVar(&f.identity, "identity", "", "")
			fs.StringVar(&f.eventName, "event-name", "", "")
			fs.StringVar(&f.repo, "repo", "", "")
			fs.StringVar(&f.githubURL, "github-url", "http://127.0.0.1:1/api/v3", "")
			fs.StringVar(&f.logLevel, "log-level", "info", "")
			for _, name := range []string{"event-path", "trusted-root"} {
				fs.String(name, "", "")
			}
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			cfg, done, err := f.config(fs, env{stderr: io.Discard, getenv: mapEnv(vars)})
			if err != nil {
				t.Fatal(err)
			}
			defer done()
			if cfg.Identity != tt.want {
				t.Errorf("identity = %q, want %q", cfg.Identity, tt.want)
			}
		})
	}
}
