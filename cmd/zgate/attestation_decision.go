package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/decision"
)

// fetchDecisions reads the signed gate decisions about commit c from
// GitHub's attestations API, under every subject digest of the commit.
func fetchDecisions(ctx context.Context, e env, baseURL string, c attest.Commit) ([][]byte, error) {
	if baseURL == "" {
		baseURL = e.getenv("GITHUB_API_URL")
	}
	if baseURL == "" {
		baseURL = ghclient.DefaultBaseURL
	}
	var gh *github.Client
	if token := e.getenv("GITHUB_TOKEN"); token != "" {
		c, err := ghclient.NewTokenClient(baseURL, token, nil)
		if err != nil {
			return nil, fmt.Errorf("GitHub client: %w", err)
		}
		gh = c
	} else {
		// Public repositories' attestations need no token.
		c, err := github.NewClient(&http.Client{Timeout: 30 * time.Second}).WithEnterpriseURLs(baseURL, baseURL)
		if err != nil {
			return nil, fmt.Errorf("GitHub client: %w", err)
		}
		gh = c
	}
	var out [][]byte
	for _, d := range attest.SubjectDigests(c.Owner, c.Repo, c.SHA) {
		bs, err := attest.FetchBundles(ctx, gh, c.Owner, c.Repo, d, decision.PredicateType)
		if err != nil {
			return nil, fmt.Errorf("fetch the decisions about %s: %w", c, err)
		}
		out = append(out, bs...)
	}
	return out, nil
}

// verifyDecisions verifies bundles as signed gate decisions about c and
// prints the first that verifies: the decision, or with asJSON its
// predicate. Exit 1 with each bundle's reason when none does.
func verifyDecisions(e env, v *attest.Verifier, bundles [][]byte, c attest.Commit, pol attest.SignerPolicy, gate string, asJSON bool) int {
	var reasons []string
	for i, b := range bundles {
		got, err := decision.Verify(v, b, c, pol, gate)
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("bundle %d (%s): %v", i+1, got.Attestation.BundleDigest, err))
			continue
		}
		if asJSON {
			if err := json.NewEncoder(e.stdout).Encode(got.Predicate); err != nil {
				fmt.Fprintf(e.stderr, "zgate attestation verify: %v\n", err)
				return exitFailed
			}
			return exitOK
		}
		printDecision(e, got)
		return exitOK
	}
	for _, r := range reasons {
		fmt.Fprintf(e.stderr, "zgate attestation verify: %s\n", r)
	}
	return exitFailed
}

// printDecision writes a verified decision for a person.
func printDecision(e env, got decision.Verified) {
	p, a := got.Predicate, got.Attestation
	fmt.Fprintf(e.stdout, "verified: gate %q of %s#%d opened at %s (%s of head %s", p.Gate, p.Repository, p.PullRequest,
		p.DecidedAt.UTC().Format(time.RFC3339), p.Action, p.HeadSHA)
	if p.MergeCommitSHA != "" {
		fmt.Fprintf(e.stdout, " as %s", p.MergeCommitSHA)
	}
	fmt.Fprintf(e.stdout, " into %s)\n", p.Base.Ref)
	fmt.Fprintf(e.stdout, "  signed by %s (%s) at %s, zgate %s\n", a.Identity, a.Issuer, a.SignedAt.UTC().Format(time.RFC3339), p.ZgateVersion)
	fmt.Fprintf(e.stdout, "  policy %s sha256:%s", p.Policy.Path, p.Policy.SHA256)
	if p.Codeowners != nil {
		fmt.Fprintf(e.stdout, ", %s sha256:%s", p.Codeowners.Path, p.Codeowners.SHA256)
	}
	fmt.Fprintf(e.stdout, " at %s\n", p.Base.SHA)
	quorum := "all"
	if p.Quorum > 0 {
		quorum = fmt.Sprint(p.Quorum)
	}
	fmt.Fprintf(e.stdout, "  quorum %s within %s; controls held:\n", quorum, p.Window)
	for _, c := range p.Controls {
		switch c.Kind {
		case "team":
			fmt.Fprintf(e.stdout, "    %s: %s approved %s (review %d) at %s\n", c.ID, c.Approver, c.Commit, c.ReviewID, fmtTime(c.SubmittedAt))
		default:
			fmt.Fprintf(e.stdout, "    %s: %s attested %s (%s) at %s\n", c.ID, c.Identity, c.Commit, c.Digest, fmtTime(c.SignedAt))
		}
	}
	if p.Override != nil {
		fmt.Fprintf(e.stdout, "  override by %s: %s\n", strings.Join(p.Override.By, ", "), strings.Join(p.Override.Reasons, "; "))
	}
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "?"
	}
	return t.UTC().Format(time.RFC3339)
}
