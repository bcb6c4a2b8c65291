package attesttest

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore/pkg/signature"
	sigdsse "github.com/sigstore/sigstore/pkg/signature/dsse"
	"google.golang.org/protobuf/encoding/protojson"
)

// BundleMediaType is the media type of the bundles the fixtures write.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// SignOption changes one signature.
type SignOption func(*signConfig)

type signConfig struct {
	at       time.Time
	from, to time.Time
	noStamp  bool
	version  string
}

// Version writes a bundle of another version: "v0.1" or "v0.2" carry the
// leaf and intermediates as an X.509 certificate chain (default "v0.3",
// the leaf alone).
func Version(v string) SignOption { return func(c *signConfig) { c.version = v } }

// At sets the timestamp authority's time (default: now).
func At(at time.Time) SignOption { return func(c *signConfig) { c.at = at } }

// CertValidity sets the leaf certificate's validity (default: from a minute
// before the timestamp, for ten minutes, as Fulcio does).
func CertValidity(from, to time.Time) SignOption {
	return func(c *signConfig) { c.from, c.to = from, to }
}

// WithoutTimestamp leaves the timestamp out of the bundle.
func WithoutTimestamp() SignOption { return func(c *signConfig) { c.noStamp = true } }

// Sign signs statement (in-toto JSON) as the default signer and returns a
// v0.3 bundle as JSON.
func (g *GitHubInstance) Sign(statement []byte, opts ...SignOption) []byte {
	g.t.Helper()
	return g.SignAs(g.Default, statement, opts...)
}

// SignAs signs statement as signer s.
func (g *GitHubInstance) SignAs(s Signer, statement []byte, opts ...SignOption) []byte {
	g.t.Helper()
	cfg := signConfig{at: time.Now()}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.from.IsZero() {
		cfg.from, cfg.to = cfg.at.Add(-time.Minute), cfg.at.Add(9*time.Minute)
	}
	key := newKey(g.t)
	leaf := g.leaf(s, &key.PublicKey, cfg.from, cfg.to)
	env, sig := signEnvelope(g.t, key, statement)
	var stamps [][]byte
	if !cfg.noStamp {
		stamps = append(stamps, g.tsa.stamp(sig, cfg.at))
	}
	certs := [][]byte{leaf.Raw}
	if cfg.version != "" && cfg.version != "v0.3" {
		for _, c := range g.intermediates {
			certs = append(certs, c.Raw)
		}
	}
	return bundleJSON(g.t, bundleParts{version: cfg.version, certs: certs, env: env, stamps: stamps})
}

// signEnvelope signs payload as an in-toto DSSE envelope.
func signEnvelope(t TB, key *ecdsa.PrivateKey, payload []byte) (*dsse.Envelope, []byte) {
	t.Helper()
	s, err := signature.LoadECDSASigner(key, cryptoSHA256)
	if err != nil {
		t.Fatalf("attesttest: signer: %v", err)
	}
	es, err := dsse.NewEnvelopeSigner(&sigdsse.SignerAdapter{SignatureSigner: s, Pub: &key.PublicKey})
	if err != nil {
		t.Fatalf("attesttest: envelope signer: %v", err)
	}
	env, err := es.SignPayload(context.Background(), "application/vnd.in-toto+json", payload)
	if err != nil {
		t.Fatalf("attesttest: sign: %v", err)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		t.Fatalf("attesttest: signature: %v", err)
	}
	return env, sig
}

// bundleParts are the parts of a bundle: certs is the leaf (v0.3) or the
// chain from the leaf (v0.1, v0.2).
type bundleParts struct {
	version string
	certs   [][]byte
	env     *dsse.Envelope
	msg     *protocommon.MessageSignature // instead of env
	stamps  [][]byte
	tlog    []*protorekorEntry
}

// bundleJSON assembles a bundle from its parts.
func bundleJSON(t TB, p bundleParts) []byte {
	t.Helper()
	stamps, tlog := p.stamps, p.tlog
	vm := &protobundle.VerificationMaterial{}
	mediaType := BundleMediaType
	switch p.version {
	case "", "v0.3":
		vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: p.certs[0]}}
	default:
		mediaType = "application/vnd.dev.sigstore.bundle+json;version=" + p.version[1:]
		chain := &protocommon.X509CertificateChain{}
		for _, c := range p.certs {
			chain.Certificates = append(chain.Certificates, &protocommon.X509Certificate{RawBytes: c})
		}
		vm.Content = &protobundle.VerificationMaterial_X509CertificateChain{X509CertificateChain: chain}
	}
	if len(stamps) > 0 {
		vm.TimestampVerificationData = &protobundle.TimestampVerificationData{}
		for _, s := range stamps {
			vm.TimestampVerificationData.Rfc3161Timestamps = append(vm.TimestampVerificationData.Rfc3161Timestamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: s})
		}
	}
	vm.TlogEntries = tlog
	b := &protobundle.Bundle{
		MediaType:            mediaType,
		VerificationMaterial: vm,
		Content:              &protobundle.Bundle_MessageSignature{MessageSignature: p.msg},
	}
	if p.env != nil {
		b.Content = &protobundle.Bundle_DsseEnvelope{DsseEnvelope: protoEnvelope(t, p.env)}
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		t.Fatalf("attesttest: bundle: %v", err)
	}
	// protojson output is deliberately unstable; normalise it.
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("attesttest: bundle: %v", err)
	}
	out, err = json.Marshal(v)
	if err != nil {
		t.Fatalf("attesttest: bundle: %v", err)
	}
	return out
}

func protoEnvelope(t TB, env *dsse.Envelope) *protodsse.Envelope {
	t.Helper()
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		t.Fatalf("attesttest: payload: %v", err)
	}
	pe := &protodsse.Envelope{Payload: payload, PayloadType: env.PayloadType}
	for _, s := range env.Signatures {
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil {
			t.Fatalf("attesttest: signature: %v", err)
		}
		pe.Signatures = append(pe.Signatures, &protodsse.Signature{Sig: sig, Keyid: s.KeyID})
	}
	return pe
}
