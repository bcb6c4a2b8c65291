package policy

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Deployment is a deployment waiting on zgate's custom deployment
// protection rule: the deployment_protection_rule event's environment, the
// deployed commit and who started it.
type Deployment struct {
	// Environment is the GitHub Environment deployed to.
	Environment string `json:"environment"`
	// SHA is the deployed commit; it stands for the head: attestations and
	// approvals count only when bound to it.
	SHA string `json:"sha"`
	Ref string `json:"ref,omitempty"`
	// Deployer is who started the deployment (the deployment's creator and
	// the event's sender): like the author, they cannot consent to it.
	Deployer string `json:"deployer"`
	// RequestedAt is when GitHub created the deployment, by GitHub's
	// clock. An approve-deploy comment that names no commit counts only if
	// made at or after it.
	RequestedAt time.Time `json:"requested_at"`
}

// ApproveDeployCommand is the comment command that approves deployments
// of the commits a pull request introduced: "/zgate approve-deploy ENV
// [SHA]".
const ApproveDeployCommand = "/zgate approve-deploy"

// ApproveDeploy is a parsed approve-deploy command.
type ApproveDeploy struct {
	// Environment is the environment approved, as written.
	Environment string
	// SHA is the commit (7 to 40 hex digits, lower case) the approval is
	// bound to; empty when the command names none.
	SHA string
}

// shaPrefixRE is an abbreviated or full commit SHA.
var shaPrefixRE = regexp.MustCompile(`^[0-9a-fA-F]{7,40}$`)

// MaxEnvironmentName is GitHub's limit on an environment name.
const MaxEnvironmentName = 255

// ParseApproveDeploy returns the first approve-deploy command of a comment
// body: a line that, after leading blanks, is "/zgate approve-deploy"
// followed by white space, an environment name and optionally a commit
// SHA (at least 7 hex digits), and nothing else. A line with anything
// else (no environment, a bad SHA, more words) is not a command: an
// approval must say exactly what it approves. Quoted lines ("> ...") are
// not commands.
func ParseApproveDeploy(body string) (ApproveDeploy, bool) {
	for line := range strings.SplitSeq(body, "\n") {
		line = strings.TrimSpace(line)
		rest, found := strings.CutPrefix(line, ApproveDeployCommand)
		if !found || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) < 1 || len(fields) > 2 || len(fields[0]) > MaxEnvironmentName {
			continue
		}
		c := ApproveDeploy{Environment: fields[0]}
		if len(fields) == 2 {
			if !shaPrefixRE.MatchString(fields[1]) {
				continue
			}
			c.SHA = strings.ToLower(fields[1])
		}
		return c, true
	}
	return ApproveDeploy{}, false
}

// deployApprovals turns the approve-deploy comments for d into approving
// reviews of the deployed commit, each reviewer's latest valid one, so the
// team controls count them as they count reviews. A comment counts only
// when it names d's environment, was never edited (whoever can edit it
// could have rewritten what it approves), and is bound to the deployed
// commit: it names a prefix of it, or names no commit and was made at or
// after the deployment was requested. The deployer, like the author and
// the pushers, is ruled out by judgeReviews.
func deployApprovals(f *Facts) []latestReview {
	d := f.Deployment
	var rs []Review
	for _, c := range f.Comments {
		cmd, ok := ParseApproveDeploy(c.Body)
		if !ok || !strings.EqualFold(cmd.Environment, d.Environment) {
			continue
		}
		if c.UpdatedAt != nil && c.UpdatedAt.After(c.CreatedAt) {
			continue
		}
		if cmd.SHA != "" {
			if !strings.HasPrefix(strings.ToLower(d.SHA), cmd.SHA) {
				continue
			}
		} else if d.RequestedAt.IsZero() || c.CreatedAt.Before(d.RequestedAt) {
			continue
		}
		rs = append(rs, Review{User: c.User, State: reviewApproved, CommitID: d.SHA, SubmittedAt: c.CreatedAt})
	}
	return latestReviews(rs)
}

// isDeployer reports whether login started the deployment under
// evaluation.
func (ix *factsIndex) isDeployer(login string) bool {
	d := ix.f.Deployment
	return d != nil && d.Deployer != "" && strings.EqualFold(d.Deployer, login)
}

// environmentVerdict decides the if.environment part of g's conditions:
// a gate naming environments applies only to a deployment to one of them,
// a gate naming none only to pull requests. ok is false with why when the
// gate does not apply.
func environmentVerdict(g *Gate, f *Facts) (why string, ok bool) {
	d := f.Deployment
	switch {
	case d == nil && len(g.If.Environment) > 0:
		return fmt.Sprintf("the gate applies only to deployments to %s (if.environment)", joinOr(g.If.Environment)), false
	case d == nil:
		return "", true
	case len(g.If.Environment) == 0:
		return "the gate applies only to pull requests (it has no if.environment)", false
	}
	for _, e := range g.If.Environment {
		if strings.EqualFold(e, d.Environment) {
			return "", true
		}
	}
	return fmt.Sprintf("the environment %q is none of if.environment (%s)", d.Environment, strings.Join(g.If.Environment, ", ")), false
}

// environments decodes if.environment: exact environment names, each at
// most GitHub's 255 characters, no duplicates (case-insensitively).
func (d *policyDecoder) environments(n *yaml.Node) []string {
	var out []string
	first := map[string]int{}
	before := len(d.problems)
	for _, it := range d.strings(n, "if.environment") {
		name := strings.TrimSpace(it.val)
		switch {
		case name != it.val || name == "":
			d.errorf(it.node, "%s: %q has leading or trailing blanks", it.what, it.val)
			continue
		case len(name) > MaxEnvironmentName:
			d.errorf(it.node, "%s: longer than GitHub's %d characters", it.what, MaxEnvironmentName)
			continue
		case strings.ContainsAny(name, "*?[,"):
			d.errorf(it.node, "%s: %q: environment names are exact, not globs or lists", it.what, it.val)
			continue
		}
		k := strings.ToLower(name)
		if line, dup := first[k]; dup {
			d.errorf(it.node, "%s: %q is already listed (line %d)", it.what, it.val, line)
			continue
		}
		first[k] = it.node.Line
		out = append(out, name)
	}
	if len(out) == 0 && len(d.problems) == before {
		d.errorf(n, "if.environment: empty: name at least one environment, or leave it out")
	}
	return out
}

// checkDeploymentGate refuses what a deployment gate cannot do: its Z is
// the answer to GitHub's protection rule, so it has no `then`, and an
// override, bound to a pull request's head, has no meaning for a
// deployment.
func (d *policyDecoder) checkDeploymentGate(g *Gate, f keyValues) {
	if len(g.If.Environment) == 0 {
		return
	}
	if v := f.get("then"); v != nil {
		d.errorf(v, "then: a gate with if.environment answers the deployment protection rule; it takes no then")
	}
	if v := f.get("override"); v != nil {
		d.errorf(v, "override: a gate with if.environment has no break-glass override (use the environment's own bypass)")
	}
}
