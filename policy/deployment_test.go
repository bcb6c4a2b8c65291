package policy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const deployPolicy = `version: 1
gates:
  - name: code
    controls:
      teams: {from: ["@acme/sre"]}
  - name: ship
    if: {environment: [production, Staging]}
    controls:
      teams: {from: ["@acme/sre", "@acme/security"]}
      attestations:
        - name: build
          predicate_type: https://slsa.dev/provenance/v1
          issuer: https://token.actions.githubusercontent.com
          identity: "https://github.com/acme/app/.*"
    quorum: 2
    window: 2h
`

const deploySHA = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0"

func TestParseEnvironment(t *testing.T) {
	p, err := Parse("zgate.yml", []byte(deployPolicy))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Gates[1].If.Environment, []string{"production", "Staging"}; !cmp.Equal(got, want) {
		t.Errorf("if.environment = %q, want %q", got, want)
	}
	if got := p.Gates[0].If.Environment; got != nil {
		t.Errorf("gate without if.environment has %q", got)
	}
}

func TestParseEnvironmentInvalid(t *testing.T) {
	gate := func(extra string) string {
		return "version: 1\ngates:\n  - name: ship\n    controls: {teams: {from: [\"@acme/sre\"]}}\n" + extra
	}
	tests := []struct {
		name string
		src  string
		want []problemAt
	}{
		{"not a list", gate("    if: {environment: production}\n"),
			[]problemAt{{5, 23, `if.environment: want a list, got a string ("production")`}}},
		{"empty list", gate("    if: {environment: []}\n"),
			[]problemAt{{5, 23, "if.environment: empty: name at least one environment, or leave it out"}}},
		{"glob", gate("    if: {environment: [prod*]}\n"),
			[]problemAt{{5, 24, `if.environment[0]: "prod*": environment names are exact, not globs or lists`}}},
		{"duplicate ignoring case", gate("    if:\n      environment:\n        - production\n        - Production\n"),
			[]problemAt{{8, 11, `if.environment[1]: "Production" is already listed (line 7)`}}},
		{"then on a deployment gate", gate("    if: {environment: [production]}\n    then: {merge: {method: squash}}\n"),
			[]problemAt{{6, 11, "then: a gate with if.environment answers the deployment protection rule; it takes no then"}}},
		{"override on a deployment gate", gate("    if: {environment: [production]}\n    override: {teams: [\"@acme/sre\"], approvals: 2}\n"),
			[]problemAt{{6, 15, "override: a gate with if.environment has no break-glass override (use the environment's own bypass)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("zgate.yml", []byte(tt.src))
			var problems ProblemList
			if !errors.As(err, &problems) {
				t.Fatalf("Parse error = %v, want a ProblemList", err)
			}
			var got []problemAt
			for _, p := range problems {
				got = append(got, problemAt{p.Line, p.Column, p.Msg})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseApproveDeploy(t *testing.T) {
	tests := []struct {
		body string
		want ApproveDeploy
		ok   bool
	}{
		{"/zgate approve-deploy production", ApproveDeploy{Environment: "production"}, true},
		{"lgtm\n  /zgate approve-deploy production D0D0D0D\n", ApproveDeploy{Environment: "production", SHA: "d0d0d0d"}, true},
		{"/zgate approve-deploy\tstaging " + deploySHA, ApproveDeploy{Environment: "staging", SHA: deploySHA}, true},
		{"/zgate approve-deploy", ApproveDeploy{}, false},
		{"/zgate approve-deploy   ", ApproveDeploy{}, false},
		{"/zgate approve-deployment production", ApproveDeploy{}, false},
		{"/zgate approve-deploy production d0d0", ApproveDeploy{}, false},        // too short a SHA
		{"/zgate approve-deploy production xyzxyzx", ApproveDeploy{}, false},     // not hex
		{"/zgate approve-deploy production d0d0d0d now", ApproveDeploy{}, false}, // extra words
		{"> /zgate approve-deploy production", ApproveDeploy{}, false},
		{"please /zgate approve-deploy production", ApproveDeploy{}, false},
		{"/zgate approve-deploy " + strings.Repeat("e", 256), ApproveDeploy{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseApproveDeploy(tt.body)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseApproveDeploy(%q) = %+v, %v; want %+v, %v", tt.body, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseApproveDeploy(f *testing.F) {
	for _, s := range []string{"/zgate approve-deploy production", "x\n/zgate approve-deploy prod " + deploySHA, "/zgate approve-deploy a b c", "/zgate approve-deploy\t\t", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		c, ok := ParseApproveDeploy(body)
		if !ok {
			if c != (ApproveDeploy{}) {
				t.Fatalf("not a command but got %+v", c)
			}
			return
		}
		if c.Environment == "" || len(c.Environment) > MaxEnvironmentName || strings.ContainsAny(c.Environment, " \t\n") {
			t.Fatalf("bad environment %q", c.Environment)
		}
		if c.SHA != "" && (!shaPrefixRE.MatchString(c.SHA) || strings.ToLower(c.SHA) != c.SHA) {
			t.Fatalf("bad SHA %q", c.SHA)
		}
		// The command re-parses to itself.
		line := ApproveDeployCommand + " " + c.Environment
		if c.SHA != "" {
			line += " " + c.SHA
		}
		if again, ok := ParseApproveDeploy(line); !ok || again != c {
			t.Fatalf("round trip of %q = %+v, %v; want %+v", line, again, ok, c)
		}
	})
}

// deployFacts is a deployment of deploySHA to production, requested an
// hour before evalNow by dan, from alice's pull request pushed by alice.
func deployFacts(comments ...Comment) *Facts {
	return &Facts{
		Repository:  "acme/app",
		PullRequest: PullRequest{Number: 7, Author: "alice", Base: "main", HeadSHA: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"},
		// A review approving the merge never approves a deployment.
		Reviews:  []Review{{User: "carol", State: "APPROVED", CommitID: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", SubmittedAt: evalNow.Add(-30 * time.Minute)}},
		Comments: comments,
		Teams:    map[string][]string{"acme/sre": {"carol", "dan", "alice", "mallory"}, "acme/security": {"erin", "dan"}},
		Pushers:  []Pusher{{Login: "mallory", HeadSHA: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"}},
		Deployment: &Deployment{
			Environment: "production", SHA: deploySHA, Ref: "main", Deployer: "dan",
			RequestedAt: evalNow.Add(-time.Hour),
		},
	}
}

func TestEvaluateDeployment(t *testing.T) {
	p, err := Parse("zgate.yml", []byte(deployPolicy))
	if err != nil {
		t.Fatal(err)
	}
	cmt := func(user, body string, ago time.Duration) Comment {
		return Comment{User: user, Body: body, CreatedAt: evalNow.Add(-ago)}
	}
	edited := cmt("erin", "/zgate approve-deploy production", 10*time.Minute)
	later := evalNow.Add(-5 * time.Minute)
	edited.UpdatedAt = &later
	tests := []struct {
		name     string
		comments []Comment
		env      string
		want     State
		wantWhy  string
	}{
		{"two teams approve", []Comment{cmt("carol", "/zgate approve-deploy production", 20*time.Minute), cmt("erin", "/zgate approve-deploy PRODUCTION d0d0d0d", 10*time.Minute)}, "production", StateSuccess, ""},
		{"reviews do not count", nil, "production", StatePending, ""},
		{"the deployer does not count", []Comment{cmt("carol", "/zgate approve-deploy production", 20*time.Minute), cmt("dan", "/zgate approve-deploy production", 10*time.Minute)}, "production", StatePending, "dan started the deployment"},
		{"the author does not count", []Comment{cmt("erin", "/zgate approve-deploy production", 20*time.Minute), cmt("alice", "/zgate approve-deploy production", 10*time.Minute)}, "production", StatePending, "alice is the author"},
		{"a pusher does not count", []Comment{cmt("erin", "/zgate approve-deploy production", 20*time.Minute), cmt("mallory", "/zgate approve-deploy production", 10*time.Minute)}, "production", StatePending, "mallory"},
		{"a non-member does not count", []Comment{cmt("erin", "/zgate approve-deploy production", 20*time.Minute), cmt("oscar", "/zgate approve-deploy production", 10*time.Minute)}, "production", StatePending, ""},
		{"an edited comment does not count", []Comment{cmt("carol", "/zgate approve-deploy production", 20*time.Minute), edited}, "production", StatePending, ""},
		{"another environment does not count", []Comment{cmt("carol", "/zgate approve-deploy production", 20*time.Minute), cmt("erin", "/zgate approve-deploy staging", 10*time.Minute)}, "production", StatePending, ""},
		{"another commit does not count", []Comment{cmt("carol", "/zgate approve-deploy production", 20*time.Minute), cmt("erin", "/zgate approve-deploy production abcdef1", 10*time.Minute)}, "production", StatePending, ""},
		{"no commit named, before the request", []Comment{cmt("carol", "/zgate approve-deploy production", 20*time.Minute), cmt("erin", "/zgate approve-deploy production", 2*time.Hour)}, "production", StatePending, ""},
		{"commit named, before the request, outside the window", []Comment{cmt("carol", "/zgate approve-deploy production", 20*time.Minute), cmt("erin", "/zgate approve-deploy production "+deploySHA, 3*time.Hour)}, "production", StatePending, "outside the 2h window"},
		{"commit named, before the request, inside the window", []Comment{cmt("carol", "/zgate approve-deploy production", 20*time.Minute), cmt("erin", "/zgate approve-deploy production "+deploySHA, 90*time.Minute)}, "production", StateSuccess, ""},
		{"another environment skips the gate", nil, "qa", StateSkipped, `the environment "qa" is none of if.environment`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := deployFacts(tt.comments...)
			f.Deployment.Environment = tt.env
			d := Evaluate(p, f, evalNow)
			code, ship := d.Gates[0], d.Gates[1]
			if code.State != StateSkipped || !strings.Contains(code.Summary, "only to pull requests") {
				t.Errorf("gate without if.environment: %s %q, want skipped for a deployment", code.State, code.Summary)
			}
			if ship.State != tt.want {
				t.Errorf("ship = %s (%s), want %s; controls %+v", ship.State, ship.Summary, tt.want, ship.Controls)
			}
			if tt.wantWhy != "" && !strings.Contains(explainAll(ship), tt.wantWhy) {
				t.Errorf("explanation lacks %q:\n%s", tt.wantWhy, explainAll(ship))
			}
		})
	}
}

func TestEnvironmentGateSkipsPullRequests(t *testing.T) {
	p, err := Parse("zgate.yml", []byte(deployPolicy))
	if err != nil {
		t.Fatal(err)
	}
	f := deployFacts()
	f.Deployment = nil
	d := Evaluate(p, f, evalNow)
	if got := d.Gates[1]; got.State != StateSkipped || !strings.Contains(got.Summary, "only to deployments to production or Staging") {
		t.Errorf("environment gate on a pull request: %s %q, want skipped", got.State, got.Summary)
	}
	if got := d.Gates[0]; got.State != StateSuccess {
		t.Errorf("pull request gate: %s %q, want success from carol's review", got.State, got.Summary)
	}
}

func TestDeploymentAttestationBindsToDeployedCommit(t *testing.T) {
	p, err := Parse("zgate.yml", []byte(deployPolicy))
	if err != nil {
		t.Fatal(err)
	}
	att := func(commit string) Attestation {
		return Attestation{PredicateType: "https://slsa.dev/provenance/v1", Issuer: "https://token.actions.githubusercontent.com",
			Identity: "https://github.com/acme/app/.github/workflows/build.yml@refs/heads/main", Commit: commit, SignedAt: evalNow.Add(-time.Minute)}
	}
	approve := Comment{User: "carol", Body: "/zgate approve-deploy production", CreatedAt: evalNow.Add(-time.Minute)}
	for _, tt := range []struct {
		commit string
		want   State
	}{{deploySHA, StateSuccess}, {"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", StatePending}} {
		f := deployFacts(approve)
		f.Attestations = []Attestation{att(tt.commit)}
		if got := Evaluate(p, f, evalNow).Gates[1]; got.State != tt.want {
			t.Errorf("attestation of %s: %s (%s), want %s", abbrevSHA(tt.commit), got.State, got.Summary, tt.want)
		}
	}
}

func explainAll(g GateDecision) string {
	var b strings.Builder
	b.WriteString(g.Summary + "\n")
	for _, c := range g.Controls {
		b.WriteString(c.Reason + "\n")
		for _, n := range c.Notes {
			b.WriteString(n + "\n")
		}
	}
	for _, n := range g.Notes {
		b.WriteString(n + "\n")
	}
	return b.String()
}

func TestDeploymentGateNoMergeWarning(t *testing.T) {
	src := "version: 1\ngates:\n  - name: review\n    then: {merge: {method: squash}}\n  - name: ship\n    if: {environment: [production]}\n    controls: {teams: {from: [\"@acme/sre\"]}}\n"
	p, err := Parse("zgate.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if w := Warnings(p); len(w) != 0 {
		t.Errorf("Warnings = %v, want none: a deployment gate never applies to the pull request that merges", w)
	}
}
