package githubsim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// attestation is one stored Sigstore bundle for a subject digest.
type attestation struct {
	id            int64
	bundle        json.RawMessage
	predicateType string
}

// AddAttestation stores a Sigstore bundle (JSON) for subjectDigest
// ("sha256:<hex>"), as `actions/attest` uploads it. The predicate type
// is read from the bundle's DSSE payload when it has one.
func (s *Sim) AddAttestation(owner, repoName, subjectDigest string, bundle json.RawMessage) error {
	if !json.Valid(bundle) {
		return fmt.Errorf("attestation bundle for %s: %w", subjectDigest, ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("attestation in %s/%s: %w", owner, repoName, ErrNotFound)
	}
	r.attestations[subjectDigest] = append(r.attestations[subjectDigest],
		attestation{id: s.id(), bundle: append(json.RawMessage(nil), bundle...), predicateType: predicateType(bundle)})
	return nil
}

// predicateType digs the in-toto predicateType out of a bundle's DSSE
// envelope; "" when there is none.
func predicateType(bundle []byte) string {
	var b struct {
		DSSE struct {
			Payload string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if json.Unmarshal(bundle, &b) != nil || b.DSSE.Payload == "" {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(b.DSSE.Payload)
	if err != nil {
		return ""
	}
	var st struct {
		PredicateType string `json:"predicateType"`
	}
	if json.Unmarshal(raw, &st) != nil {
		return ""
	}
	return st.PredicateType
}

func (s *Sim) attestationRoutes() {
	s.handle("GET /repos/{owner}/{repo}/attestations/{subject_digest}", authToken, s.listAttestations)
	s.handle("POST /repos/{owner}/{repo}/attestations", authToken, s.createAttestation)
}

// createAttestation stores {"bundle": {...}} under the sha256 digest of
// each subject of its DSSE statement, as GitHub indexes them, and answers
// 201 {"id": N}; a bundle without a DSSE statement is refused (422).
func (s *Sim) createAttestation(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	var body struct {
		Bundle json.RawMessage `json:"bundle"`
	}
	if e := q.decode(&body); e != nil {
		return *e
	}
	digests := subjectDigests(body.Bundle)
	if len(digests) == 0 {
		return apiError(http.StatusUnprocessableEntity, "Validation Failed: bundle has no in-toto statement with sha256 subject digests")
	}
	a := attestation{id: s.id(), bundle: append(json.RawMessage(nil), body.Bundle...), predicateType: predicateType(body.Bundle)}
	for _, d := range digests {
		r.attestations[d] = append(r.attestations[d], a)
	}
	return created(map[string]any{"id": a.id})
}

// subjectDigests returns "sha256:<hex>" of each subject of the bundle's
// DSSE statement.
func subjectDigests(bundle []byte) []string {
	var b struct {
		MediaType string `json:"mediaType"`
		DSSE      struct {
			Payload string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if json.Unmarshal(bundle, &b) != nil || b.MediaType == "" || b.DSSE.Payload == "" {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(b.DSSE.Payload)
	if err != nil {
		return nil
	}
	var st struct {
		Subject []struct {
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if json.Unmarshal(raw, &st) != nil {
		return nil
	}
	var out []string
	for _, sub := range st.Subject {
		if d := sub.Digest["sha256"]; d != "" {
			out = append(out, "sha256:"+d)
		}
	}
	return out
}

// listAttestations pages with opaque cursors (before/after) as GitHub
// does for this endpoint; the cursor is the index of the next item.
func (s *Sim) listAttestations(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	pt := q.query("predicate_type")
	var all []attestation
	for _, a := range r.attestations[q.path("subject_digest")] {
		if pt == "" || a.predicateType == pt || (pt == "provenance" && a.predicateType == "https://slsa.dev/provenance/v1") {
			all = append(all, a)
		}
	}
	perPage, err := strconv.Atoi(q.query("per_page"))
	if err != nil || perPage < 1 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	start := 0
	if c := q.query("after"); c != "" {
		n, err := decodeCursor(c)
		if err != nil || n > len(all) {
			return apiError(http.StatusBadRequest, "Invalid cursor")
		}
		start = n
	}
	end := min(len(all), start+perPage)
	resp := response{status: http.StatusOK}
	if end < len(all) {
		v := q.r.URL.Query()
		v.Set("after", encodeCursor(end))
		v.Del("before")
		resp.header = http.Header{"Link": {fmt.Sprintf("<%s>; rel=\"next\"", absURL(q.r, v))}}
	}
	out := make([]map[string]any, 0, end-start)
	for _, a := range all[start:end] {
		out = append(out, map[string]any{
			"bundle": a.bundle, "repository_id": r.id,
			"bundle_url": fmt.Sprintf("%s/attestations/%d/bundle", s.api()+"/repos/"+r.fullName(), a.id),
		})
	}
	resp.body = map[string]any{"attestations": out}
	return resp
}

func encodeCursor(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("idx:" + strconv.Itoa(n)))
}

func decodeCursor(c string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 4 || string(b[:4]) != "idx:" {
		return 0, fmt.Errorf("bad cursor %q", c)
	}
	return strconv.Atoi(string(b[4:]))
}
