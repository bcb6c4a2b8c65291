package decision

import (
	"fmt"
	"strings"
	"time"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/decision"
	"github.com/zgate-dev/zgate/policy"
)

// Build returns the predicate of gate g's decision gd, made at decidedAt on
// res; action is the Z that ran ("none" when the gate opened without one)
// and mergeSHA the merge commit of a merge, "" otherwise.
func Build(res *facts.Result, g *policy.Gate, gd policy.GateDecision, action, mergeSHA string, decidedAt time.Time, version string) (decision.Predicate, error) {
	if res.Policy == nil || res.PolicyDigest == "" {
		return decision.Predicate{}, fmt.Errorf("decision of %s: no policy", g.Name)
	}
	baseSHA := res.ConfigSHA
	if baseSHA == "" && res.PR != nil {
		baseSHA = res.PR.GetBase().GetSHA()
	}
	p := decision.Predicate{
		Repository:     res.Facts.Repository,
		PullRequest:    res.Facts.PullRequest.Number,
		Base:           decision.Base{Ref: res.BaseRef, SHA: strings.ToLower(baseSHA)},
		HeadSHA:        strings.ToLower(res.HeadSHA),
		MergeCommitSHA: strings.ToLower(mergeSHA),
		Gate:           g.Name,
		Action:         action,
		Policy:         decision.File{Path: res.PolicyFile, SHA256: res.PolicyDigest},
		Quorum:         gd.Quorum,
		Window:         g.Window.String(),
		DecidedAt:      decidedAt.UTC(),
		ZgateVersion:   version,
		Controls:       []decision.Control{},
	}
	if res.CodeownersFile != "" {
		p.Codeowners = &decision.File{Path: res.CodeownersFile, SHA256: res.CodeownersDigest}
	}
	if gd.Override != nil {
		p.Override = &decision.Override{By: gd.Override.By, Reasons: gd.Override.Reasons}
	}
	for _, cr := range gd.Controls {
		if !cr.Held {
			continue
		}
		c := decision.Control{ID: cr.ID, Kind: string(cr.Kind), Commit: strings.ToLower(cr.Commit)}
		switch cr.Kind {
		case policy.ControlTeam:
			c.Approver, c.SubmittedAt = cr.By, utc(cr.At)
			c.ReviewID = reviewID(res.Facts.Reviews, cr)
		case policy.ControlAttestation:
			c.Identity, c.SignedAt = cr.By, utc(cr.At)
			if a := attestation(res.Facts.Attestations, cr); a != nil {
				c.Digest, c.Issuer = a.Digest, a.Issuer
			}
		case policy.ControlDecision:
			// The decision this one builds on: its bundle digest and time.
			c.SignedAt = utc(cr.At)
			for _, sd := range res.Facts.Decisions {
				if strings.EqualFold(sd.Commit, cr.Commit) && cr.ID == "decision:"+sd.Repository+"/"+sd.Gate {
					c.Digest = sd.Digest
				}
			}
		}
		p.Controls = append(p.Controls, c)
	}
	if err := p.Validate(); err != nil {
		return decision.Predicate{}, fmt.Errorf("decision of %s: %w", g.Name, err)
	}
	return p, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// reviewID finds the review a team control counted: the approver's, on its
// commit, at its time.
func reviewID(reviews []policy.Review, cr policy.ControlResult) int64 {
	for _, r := range reviews {
		if strings.EqualFold(r.User, cr.By) && strings.EqualFold(r.CommitID, cr.Commit) && cr.At != nil && r.SubmittedAt.Equal(*cr.At) {
			return r.ID
		}
	}
	return 0
}

// attestation finds the attestation an attestation control counted.
func attestation(atts []policy.Attestation, cr policy.ControlResult) *policy.Attestation {
	for i, a := range atts {
		if a.Identity == cr.By && strings.EqualFold(a.Commit, cr.Commit) && cr.At != nil && a.SignedAt.Equal(*cr.At) {
			return &atts[i]
		}
	}
	return nil
}
