package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
	"github.com/zgate-dev/zgate/app/githubsim"
)

func snapTestdata(name string) string { return filepath.Join("testdata", "snapshot", name) }

// snapshotSim is acme/payments with testdata/snapshot's policy and
// CODEOWNERS, and alice's pull request #1 that carol (sre) approved and
// an override comment by ivan (ic).
func snapshotSim(t *testing.T) (*ghclienttest.Env, int) {
	t.Helper()
	return snapshotSimWith(t, true)
}

// snapshotSimWith is snapshotSim; withPolicy false leaves the base branch
// without a policy.
func snapshotSimWith(t *testing.T, withPolicy bool) (*ghclienttest.Env, int) {
	t.Helper()
	env := ghclienttest.New(t, nil)
	read := func(name string) string {
		b, err := os.ReadFile(snapTestdata(name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	sim := env.Sim
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{".github/CODEOWNERS": read("CODEOWNERS"), "deploy/prod/payments.yml": "replicas: 3\n"}
	if withPolicy {
		files[".github/zgate.yml"] = read("zgate.yml")
	}
	must(sim.CreateRepo("acme", "payments", files))
	for _, tm := range [][2]string{{"sre", "carol"}, {"security", "dave"}, {"ic", "ivan"}} {
		must(sim.AddTeamMember("acme", tm[0], tm[1], "active"))
	}
	_, err := sim.Push("acme", "payments", "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 5\n"}, nil, "alice")
	must(err)
	n, err := sim.OpenPR("acme", "payments", githubsim.PROptions{Head: "scale", Base: "main", Title: "scale", Author: "alice"})
	must(err)
	_, err = sim.SubmitReview("acme", "payments", n, "carol", "APPROVE", "")
	must(err)
	_, err = sim.Comment("acme", "payments", n, "bob", "looks fine")
	must(err)
	return env, n
}

// appDecision is what the App decides now: the same gathering and
// evaluation the engine runs, as simulate's JSON.
func appDecision(t *testing.T, env *ghclienttest.Env, n int) simulateOutput {
	t.Helper()
	g := &facts.Gatherer{Pushes: facts.SuitePushes{}}
	res, err := g.Gather(context.Background(), env.Client(t, "acme"), "acme", "payments", n)
	if err != nil {
		t.Fatal(err)
	}
	if res.Policy == nil {
		t.Fatalf("no policy gathered: %v", res.PolicyErr)
	}
	return simulateJSON(facts.Evaluate(res, res.At))
}

func installationToken(t *testing.T, env *ghclienttest.Env) string {
	t.Helper()
	app, err := env.Apps.App()
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := app.Apps.CreateInstallationToken(context.Background(), env.Sim.InstallationID("acme"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok.GetToken()
}

func TestSnapshotRoundTrip(t *testing.T) {
	env, n := snapshotSim(t)
	pr := strconv.Itoa(n)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(env.Key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	api := env.Server.URL + "/api/v3"
	creds := []struct {
		name string
		vars map[string]string
	}{
		{"GITHUB_TOKEN", map[string]string{"GITHUB_TOKEN": installationToken(t, env), "GITHUB_API_URL": api}},
		{"App credentials", map[string]string{"ZGATE_APP_ID": "4242", "ZGATE_PRIVATE_KEY": keyFile, "GITHUB_API_URL": api}},
	}
	want := appDecision(t, env, n)
	if want.Gates[0].State != "pending" {
		t.Fatalf("the App's decision = %+v, want pending (the test needs it)", want)
	}
	for _, c := range creds {
		t.Run(c.name, func(t *testing.T) {
			snap := filepath.Join(t.TempDir(), "pr-1.json")
			code, _, stderr := runCmd(t, "", mapEnv(c.vars), "snapshot", "--repo", "acme/payments", "--pr", pr, "--out", snap)
			if code != exitOK {
				t.Fatalf("zgate snapshot = %d, stderr:\n%s", code, stderr)
			}
			raw, err := os.ReadFile(snap)
			if err != nil {
				t.Fatal(err)
			}
			f, err := decodeSnapshot(raw)
			if err != nil {
				t.Fatalf("the snapshot does not decode strictly: %v\n%s", err, raw)
			}
			if f.Now == nil || f.PullRequest.Author != "alice" || len(f.Reviews) != 1 || len(f.Comments) != 1 || f.Teams["acme/security"] == nil {
				t.Errorf("snapshot = %s\nwant now, the author, carol's review, bob's comment and the teams", raw)
			}
			code, out, stderr := runCmd(t, "", nil, "simulate", "--policy", snapTestdata("zgate.yml"), "--codeowners", snapTestdata("CODEOWNERS"), "--snapshot", snap, "--json")
			if code != exitFailed {
				t.Fatalf("zgate simulate = %d, want %d (pending); stderr:\n%s", code, exitFailed, stderr)
			}
			var got simulateOutput
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("simulate of the snapshot differs from the App's decision (-app +simulate):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"@acme/security"}, got.Gates[0].ReviewRequests); diff != "" {
				t.Errorf("review requests (-want +got):\n%s", diff)
			}
			// Replayed with a changed policy from the working tree.
			code, out, _ = runCmd(t, "", nil, "simulate", "--policy", snapTestdata("quorum1.yml"), "--codeowners", snapTestdata("CODEOWNERS"), "--snapshot", snap)
			if code != exitOK || !strings.Contains(out, "zgate/production: SUCCESS") {
				t.Errorf("simulate with quorum 1 = %d:\n%s\nwant success", code, out)
			}
		})
	}
}

func TestSnapshotRefuses(t *testing.T) {
	env, n := snapshotSim(t)
	pr := strconv.Itoa(n)
	api := env.Server.URL + "/api/v3"
	tok := installationToken(t, env)
	tests := []struct {
		name     string
		vars     map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no repo", map[string]string{"GITHUB_TOKEN": tok}, []string{"--pr", pr}, exitUsage, "--repo"},
		{"bad repo", map[string]string{"GITHUB_TOKEN": tok}, []string{"--repo", "acme", "--pr", pr}, exitUsage, "want owner/repo"},
		{"no pr", map[string]string{"GITHUB_TOKEN": tok}, []string{"--repo", "acme/payments"}, exitUsage, "--pr"},
		{"no credentials", map[string]string{}, []string{"--repo", "acme/payments", "--pr", pr}, exitUsage, "no credentials"},
		{"unknown pull request", map[string]string{"GITHUB_TOKEN": tok, "GITHUB_API_URL": api}, []string{"--repo", "acme/payments", "--pr", "99"}, exitFailed, "99"},
		{"bad --policy", map[string]string{"GITHUB_TOKEN": tok, "GITHUB_API_URL": api}, []string{"--repo", "acme/payments", "--pr", pr, "--policy", snapTestdata("CODEOWNERS")}, exitUsage, "CODEOWNERS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCmd(t, "", mapEnv(tc.vars), append([]string{"snapshot"}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) || out != "" {
				t.Errorf("zgate snapshot %v = %d, stdout %q, stderr %q; want %d and %q", tc.args, code, out, stderr, tc.wantCode, tc.wantErr)
			}
		})
	}
}

// TestSnapshotPolicyWithoutBase gathers for a policy the base branch does
// not have yet (--policy): the snapshot then holds what it needs, the
// reviews, the comments an override reads and the CODEOWNERS teams.
func TestSnapshotPolicyWithoutBase(t *testing.T) {
	env, n := snapshotSimWith(t, false)
	vars := map[string]string{"GITHUB_TOKEN": installationToken(t, env), "GITHUB_API_URL": env.Server.URL + "/api/v3"}
	for _, tc := range []struct {
		name      string
		args      []string
		wantTeams bool
	}{
		{"without --policy", nil, false},
		{"with --policy", []string{"--policy", snapTestdata("zgate.yml")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"snapshot", "--repo", "acme/payments", "--pr", strconv.Itoa(n)}, tc.args...)
			code, out, stderr := runCmd(t, "", mapEnv(vars), args...)
			if code != exitOK {
				t.Fatalf("zgate snapshot = %d; stderr:\n%s", code, stderr)
			}
			f, err := decodeSnapshot([]byte(out))
			if err != nil {
				t.Fatal(err)
			}
			got := len(f.Reviews) == 1 && len(f.Comments) == 1 && f.Teams["acme/security"] != nil
			if got != tc.wantTeams {
				t.Errorf("snapshot has reviews, comments and teams = %v, want %v:\n%s", got, tc.wantTeams, out)
			}
		})
	}
}
