package attest

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// GitHubOrganization is the X.509 organization of the certificate
// authority of GitHub's own Sigstore instance (private repositories); its
// bundles carry RFC 3161 timestamps and no transparency log entry.
const GitHubOrganization = "GitHub, Inc."

// TrustedRoots is a set of Sigstore instances (Fulcio CAs, timestamp
// authorities, transparency logs) loaded from trusted root files. Each
// bundle is verified against the instance whose CA issued its certificate.
type TrustedRoots struct {
	instances []*instance
}

// instance is one trusted root with the verifier options of its deployment.
type instance struct {
	root     *root.TrustedRoot
	orgs     []string // organizations of its Fulcio CA certificates
	verifier *verify.Verifier
	// requireSCT: the leaf must carry an SCT from one of the root's CT logs.
	requireSCT bool
	pool       *x509.CertPool // roots, for diagnosing chain failures
	inter      *x509.CertPool // intermediates
}

// LoadTrustedRoots parses a Sigstore trusted root JSON document, or JSON
// lines with one trusted root per line (as `gh attestation trusted-root`
// prints: the public-good instance and GitHub's).
func LoadTrustedRoots(data []byte) (*TrustedRoots, error) {
	docs, err := splitJSON(data)
	if err != nil {
		return nil, fmt.Errorf("trusted roots: %w", err)
	}
	if len(docs) == 0 {
		return nil, errors.New("trusted roots: no trusted root in input")
	}
	tr := &TrustedRoots{}
	for i, doc := range docs {
		r, err := root.NewTrustedRootFromJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("trusted root %d: %w", i+1, err)
		}
		in, err := newInstance(r)
		if err != nil {
			return nil, fmt.Errorf("trusted root %d: %w", i+1, err)
		}
		tr.instances = append(tr.instances, in)
	}
	return tr, nil
}

// newInstance picks verifier options the way `gh attestation verify` does:
// GitHub's instance needs a signed timestamp; an instance with a
// transparency log needs a log entry and an observer timestamp, plus an SCT
// when it lists CT logs (the public-good instance); one with only timestamp
// authorities needs a signed timestamp.
func newInstance(r *root.TrustedRoot) (*instance, error) {
	in := &instance{root: r, pool: x509.NewCertPool(), inter: x509.NewCertPool()}
	for _, ca := range r.FulcioCertificateAuthorities() {
		fca, ok := ca.(*root.FulcioCertificateAuthority)
		if !ok {
			continue
		}
		if fca.Root != nil {
			in.pool.AddCert(fca.Root)
			in.addOrgs(fca.Root)
		}
		for _, c := range fca.Intermediates {
			in.inter.AddCert(c)
			in.addOrgs(c)
		}
	}
	var opts []verify.VerifierOption
	switch {
	case slices.Contains(in.orgs, GitHubOrganization) || len(r.RekorLogs()) == 0:
		if len(r.TimestampingAuthorities()) == 0 {
			return nil, errors.New("has neither a transparency log nor a timestamp authority: no signing time could be verified")
		}
		opts = append(opts, verify.WithSignedTimestamps(1))
	default:
		opts = append(opts, verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1))
		if len(r.CTLogs()) > 0 {
			opts = append(opts, verify.WithSignedCertificateTimestamps(1))
			in.requireSCT = true
		}
	}
	opts = append(opts, verify.WithoutStatementPredicate())
	v, err := verify.NewVerifier(r, opts...)
	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	in.verifier = v
	return in, nil
}

func (in *instance) addOrgs(c *x509.Certificate) {
	for _, o := range c.Subject.Organization {
		if !slices.Contains(in.orgs, o) {
			in.orgs = append(in.orgs, o)
		}
	}
}

// forIssuer returns the instances whose CA has one of the organizations of
// a leaf certificate's issuer.
func (tr *TrustedRoots) forIssuer(leaf *x509.Certificate) []*instance {
	var out []*instance
	for _, in := range tr.instances {
		for _, o := range leaf.Issuer.Organization {
			if slices.Contains(in.orgs, o) {
				out = append(out, in)
				break
			}
		}
	}
	return out
}

// timestampingMaterial returns every instance's root, for verifying the
// RFC 3161 timestamps of keyed bundles.
func (tr *TrustedRoots) timestampingMaterial() root.TrustedMaterialCollection {
	var out root.TrustedMaterialCollection
	if tr == nil {
		return out
	}
	for _, in := range tr.instances {
		out = append(out, in.root)
	}
	return out
}

// splitJSON returns the JSON values of data: one document, or JSON lines.
// Blank lines are skipped.
func splitJSON(data []byte) ([][]byte, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, nil
	}
	if json.Valid(trimmed) {
		return [][]byte{trimmed}, nil
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(trimmed))
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		l := bytes.TrimSpace(sc.Bytes())
		if len(l) == 0 {
			continue
		}
		if !json.Valid(l) {
			return nil, fmt.Errorf("line %d: not a JSON document", line)
		}
		out = append(out, bytes.Clone(l))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading JSON lines: %w", err)
	}
	return out, nil
}

// SplitBundles returns the bundles of a file holding one bundle as JSON or
// one bundle per line (JSON lines, as `gh attestation download` writes).
func SplitBundles(data []byte) ([][]byte, error) {
	docs, err := splitJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%w: bundles: %w", ErrMalformed, err)
	}
	return docs, nil
}
