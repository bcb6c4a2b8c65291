package attest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Commit names one commit of one GitHub repository.
type Commit struct {
	Owner string
	Repo  string
	// SHA is the full hexadecimal commit id (40 or 64 digits).
	SHA string
}

// String returns "owner/repo@sha".
func (c Commit) String() string { return c.Owner + "/" + c.Repo + "@" + c.SHA }

// SubjectName returns the subject name that binds a statement to c:
// "git+https://github.com/owner/repo@sha", lower-cased.
func (c Commit) SubjectName() string {
	return strings.ToLower("git+https://github.com/" + c.Owner + "/" + c.Repo + "@" + c.SHA)
}

// Validate reports whether c names a commit: owner/repo and a full
// hexadecimal commit id.
func (c Commit) Validate() error {
	if c.Owner == "" || c.Repo == "" || strings.ContainsAny(c.Owner+c.Repo, "/@ ") {
		return fmt.Errorf("repository %q is not of the form owner/repo", c.Owner+"/"+c.Repo)
	}
	if !isHexSHA(c.SHA) {
		return fmt.Errorf("commit %q is not a full hexadecimal commit id", c.SHA)
	}
	return nil
}

func isHexSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// SubjectDigests returns the subject_digest values under which GitHub's
// attestations API indexes attestations about commit sha of owner/repo:
// "sha256:" and the hex SHA-256 of the subject name
// "git+https://github.com/owner/repo@sha", lower-cased (and of the name as
// given, when it has upper-case letters). Subjects of the {"gitCommit": sha}
// form are not indexed by GitHub under a sha256 digest, so they can be
// verified from files but not fetched; see docs/attestations.md.
func SubjectDigests(owner, repo, sha string) []string {
	c := Commit{Owner: owner, Repo: repo, SHA: sha}
	canonical := c.SubjectName()
	out := []string{sha256Digest(canonical)}
	if asGiven := "git+https://github.com/" + owner + "/" + repo + "@" + sha; asGiven != canonical {
		out = append(out, sha256Digest(asGiven))
	}
	return out
}

func sha256Digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// In-toto statement types zgate accepts.
const (
	statementTypeV1  = "https://in-toto.io/Statement/v1"
	statementTypeV01 = "https://in-toto.io/Statement/v0.1"
	// PayloadTypeInToto is the DSSE payload type of an in-toto statement.
	PayloadTypeInToto = "application/vnd.in-toto+json"
)

// statement is the part of an in-toto statement zgate reads.
type statement struct {
	Type          string             `json:"_type"`
	Subject       []statementSubject `json:"subject"`
	PredicateType string             `json:"predicateType"`
}

type statementSubject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// parseStatement decodes a DSSE payload as an in-toto statement and checks
// its type; sigstore-go does not.
func parseStatement(payloadType string, payload []byte) (statement, error) {
	if payloadType != PayloadTypeInToto {
		return statement{}, reject(ErrNotStatement, "payload type is %q, not %q", payloadType, PayloadTypeInToto)
	}
	var st statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return statement{}, rejectCause(ErrNotStatement, err, "payload is not an in-toto statement")
	}
	if st.Type != statementTypeV1 && st.Type != statementTypeV01 {
		return statement{}, reject(ErrNotStatement, "statement type is %q, not %q", st.Type, statementTypeV1)
	}
	if st.PredicateType == "" {
		return statement{}, reject(ErrNotStatement, "statement has no predicate type")
	}
	if len(st.Subject) == 0 {
		return statement{}, reject(ErrNotStatement, "statement has no subject")
	}
	return st, nil
}

// checkBinding decides whether st is about commit c. A subject binds the
// statement to c when
//   - its name is "git+https://github.com/O/R@C" (compared case-insensitively)
//     and its digest is {"sha256": sha256(name)} or {"gitCommit": C}; or
//   - its digest is {"gitCommit": C} and the signer's source repository
//     (from the certificate) is https://github.com/O/R, since a fork shares
//     commit ids and a gitCommit digest alone does not name a repository.
//
// signerRepo is the certificate's source repository URI, empty for keys.
func checkBinding(st statement, c Commit, signerRepo string) error {
	want := c.SubjectName()
	wantRepo := "https://github.com/" + c.Owner + "/" + c.Repo
	sha := strings.ToLower(c.SHA)
	var otherRepo, badDigest string
	for _, s := range st.Subject {
		name := strings.ToLower(s.Name)
		gitCommit := strings.ToLower(s.Digest["gitCommit"])
		if name == want {
			if gitCommit == sha || digestOfName(s) {
				return nil
			}
			badDigest = s.Name
			continue
		}
		if repo, commit, ok := parseSubjectName(name); ok && commit == sha {
			otherRepo = repo
			continue
		}
		if _, _, named := parseSubjectName(name); gitCommit == sha && !named {
			if signerRepo != "" && strings.EqualFold(signerRepo, wantRepo) {
				return nil
			}
			if signerRepo == "" {
				otherRepo = "an unnamed repository"
			} else {
				otherRepo = strings.TrimPrefix(strings.ToLower(signerRepo), "https://github.com/")
			}
		}
	}
	if badDigest != "" {
		return reject(ErrNotBound, "subject %q has neither the sha256 digest of its name nor a gitCommit digest of %s", badDigest, c.SHA)
	}
	if otherRepo != "" {
		return reject(ErrNotBound, "statement is about commit %s of %s, not of %s/%s (replayed from another repository?)", c.SHA, otherRepo, c.Owner, c.Repo)
	}
	return reject(ErrNotBound, "no subject of the statement names commit %s of %s/%s", c.SHA, c.Owner, c.Repo)
}

// digestOfName reports whether the subject's sha256 digest is the digest of
// its own name (as written, or lower-cased).
func digestOfName(s statementSubject) bool {
	d := strings.ToLower(s.Digest["sha256"])
	if d == "" {
		return false
	}
	return "sha256:"+d == sha256Digest(s.Name) || "sha256:"+d == sha256Digest(strings.ToLower(s.Name))
}

// parseSubjectName splits a lower-cased "git+https://github.com/O/R@C".
func parseSubjectName(name string) (repo, commit string, ok bool) {
	rest, ok := strings.CutPrefix(name, "git+https://github.com/")
	if !ok {
		return "", "", false
	}
	repo, commit, ok = strings.Cut(rest, "@")
	return repo, commit, ok
}
