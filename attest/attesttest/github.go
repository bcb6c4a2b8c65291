package attesttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"sync/atomic"
	"time"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
)

// TB is the part of testing.TB the fixtures use, so the demo can pass its
// own implementation.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// GitHubIssuer is the OIDC issuer of GitHub Actions tokens.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// Signer is the workflow identity a certificate is issued to.
type Signer struct {
	Issuer string
	// Identity is the certificate's URI SAN.
	Identity          string
	SourceRepository  string
	SignerWorkflow    string
	RunnerEnvironment string
}

// Workflow is the signer identity of a GitHub Actions workflow file path
// (".github/workflows/x.yml") of owner/repo running at ref, on a
// GitHub-hosted runner.
func Workflow(owner, repo, path, ref string) Signer {
	uri := fmt.Sprintf("https://github.com/%s/%s/%s@%s", owner, repo, path, ref)
	return Signer{
		Issuer:            GitHubIssuer,
		Identity:          uri,
		SourceRepository:  fmt.Sprintf("https://github.com/%s/%s", owner, repo),
		SignerWorkflow:    uri,
		RunnerEnvironment: "github-hosted",
	}
}

// GitHubInstance is an in-memory Sigstore instance shaped like GitHub's
// (private repositories): no transparency log, RFC 3161 timestamps.
type GitHubInstance struct {
	t             TB
	org           string
	rootCert      *x509.Certificate
	intermediates []*x509.Certificate // nearest the leaf first
	issuerKey     crypto.Signer       // key of intermediates[0]
	tsa           *tsa
	serial        atomic.Int64
	// Default is the signer Sign uses.
	Default Signer
}

// GitHubOption configures NewGitHubInstance.
type GitHubOption func(*githubConfig)

type githubConfig struct {
	intermediates int
	org           string
	validAt       time.Time
}

// Intermediates sets the number of intermediate CAs (1 or 2; default 1).
func Intermediates(n int) GitHubOption {
	return func(c *githubConfig) { c.intermediates = n }
}

// Organization sets the CA's X.509 organization (default "GitHub, Inc.");
// another value makes an instance zgate's roots select differently.
func Organization(org string) GitHubOption {
	return func(c *githubConfig) { c.org = org }
}

// ValidAt makes every CA and timestamping certificate of the instance valid
// around at (from 48 hours before it to years after) instead of around the
// wall clock. A test that signs at a pinned time must pass that time here,
// or its fixture expires with the calendar.
func ValidAt(at time.Time) GitHubOption {
	return func(c *githubConfig) { c.validAt = at }
}

// NewGitHubInstance creates the CA, intermediates and timestamp authority.
// Its default signer is acme/ci's .github/workflows/attest.yml on main.
func NewGitHubInstance(t TB, opts ...GitHubOption) *GitHubInstance {
	t.Helper()
	cfg := githubConfig{intermediates: 1, org: "GitHub, Inc."}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.intermediates < 1 || cfg.intermediates > 2 {
		t.Fatalf("attesttest: %d intermediates; want 1 or 2", cfg.intermediates)
	}
	g := &GitHubInstance{t: t, org: cfg.org, Default: Workflow("acme", "ci", ".github/workflows/attest.yml", "refs/heads/main")}
	now := cfg.validAt
	if now.IsZero() {
		now = time.Now()
	}
	rootKey := newKey(t)
	g.rootCert = g.ca(rootKey, rootKey, nil, "Internal Services Root", now.Add(-48*time.Hour), now.Add(10*365*24*time.Hour))
	parent, parentKey := g.rootCert, crypto.Signer(rootKey)
	var chain []*x509.Certificate
	for i := 0; i < cfg.intermediates; i++ {
		k := newKey(t)
		c := g.ca(k, parentKey, parent, fmt.Sprintf("Fulcio Intermediate l%d", i+1), now.Add(-47*time.Hour), now.Add(5*365*24*time.Hour))
		chain = append([]*x509.Certificate{c}, chain...)
		parent, parentKey = c, k
	}
	g.intermediates = chain
	g.issuerKey = parentKey
	g.tsa = newTSA(t, cfg.org, now)
	return g
}

func newKey(t TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("attesttest: key: %v", err)
	}
	return k
}

// ca issues a CA certificate for key, signed by parentKey (self-signed when
// parent is nil).
func (g *GitHubInstance) ca(key *ecdsa.PrivateKey, parentKey crypto.Signer, parent *x509.Certificate, cn string, from, to time.Time) *x509.Certificate {
	g.t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(g.serial.Add(1)),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{g.org}},
		NotBefore:             from,
		NotAfter:              to,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if parent == nil {
		parent = tmpl
	}
	return createCert(g.t, tmpl, parent, &key.PublicKey, parentKey)
}

func createCert(t TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatalf("attesttest: certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("attesttest: certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	return c
}

// leaf issues a Fulcio-style code-signing certificate to s for pub, valid
// from..to, with GitHub's OIDC extensions.
func (g *GitHubInstance) leaf(s Signer, pub crypto.PublicKey, from, to time.Time) *x509.Certificate {
	g.t.Helper()
	// Fulcio still writes the first, raw-string issuer extension
	// (1.3.6.1.4.1.57264.1.1) beside the DER-encoded one.
	exts := []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}, Value: []byte(s.Issuer)}}
	for _, e := range []struct {
		oid asn1.ObjectIdentifier
		val string
	}{
		{certificate.OIDIssuerV2, s.Issuer},
		{certificate.OIDBuildSignerURI, s.SignerWorkflow},
		{certificate.OIDRunnerEnvironment, s.RunnerEnvironment},
		{certificate.OIDSourceRepositoryURI, s.SourceRepository},
	} {
		if e.val == "" {
			continue
		}
		v, err := asn1.MarshalWithParams(e.val, "utf8")
		if err != nil {
			g.t.Fatalf("attesttest: extension: %v", err)
		}
		exts = append(exts, pkix.Extension{Id: e.oid, Value: v})
	}
	san, err := parseURI(s.Identity)
	if err != nil {
		g.t.Fatalf("attesttest: identity %q: %v", s.Identity, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(g.serial.Add(1)),
		URIs:            san,
		NotBefore:       from,
		NotAfter:        to,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: exts,
	}
	return createCert(g.t, tmpl, g.intermediates[0], pub, g.issuerKey)
}

// TrustedRootJSON returns the instance's trusted root: the CA with its
// intermediates and the timestamp authority.
func (g *GitHubInstance) TrustedRootJSON() []byte {
	g.t.Helper()
	ca := &root.FulcioCertificateAuthority{
		Root:                g.rootCert,
		Intermediates:       g.intermediates,
		ValidityPeriodStart: g.rootCert.NotBefore,
		URI:                 "https://fulcio.githubapp.com",
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{ca}, nil,
		[]root.TimestampingAuthority{g.tsa.authority()}, nil)
	if err != nil {
		g.t.Fatalf("attesttest: trusted root: %v", err)
	}
	out, err := tr.MarshalJSON()
	if err != nil {
		g.t.Fatalf("attesttest: trusted root: %v", err)
	}
	return out
}

func digest(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
