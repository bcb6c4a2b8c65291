package attesttest

import (
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/proto"
)

const cryptoSHA256 = crypto.SHA256

type protorekorEntry = protorekor.TransparencyLogEntry

// PublicGood is an in-memory instance shaped like Sigstore's public-good
// one ("sigstore.dev" CA, Rekor transparency log, timestamps), built on
// sigstore-go's VirtualSigstore. Its certificates carry an email SAN and
// only the issuer extension.
type PublicGood struct {
	t  TB
	vs *ca.VirtualSigstore
}

// NewPublicGood creates the instance.
func NewPublicGood(t TB) *PublicGood {
	t.Helper()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatalf("attesttest: virtual sigstore: %v", err)
	}
	return &PublicGood{t: t, vs: vs}
}

// TrustedRootJSON returns the instance's trusted root (CA, timestamp
// authority, Rekor log; no CT log, since VirtualSigstore issues no SCTs).
func (p *PublicGood) TrustedRootJSON() []byte {
	p.t.Helper()
	return p.trustedRoot(false)
}

// TrustedRootWithCTLogJSON is TrustedRootJSON listing a CT log too, so that
// verifiers demand SCTs, which this instance's certificates lack.
func (p *PublicGood) TrustedRootWithCTLogJSON() []byte {
	p.t.Helper()
	return p.trustedRoot(true)
}

func (p *PublicGood) trustedRoot(withCT bool) []byte {
	p.t.Helper()
	var ct map[string]*root.TransparencyLog
	if withCT {
		ct = p.vs.CTLogs()
	}
	// VirtualSigstore keys its log by the hex ID but stores the hex text as
	// the ID bytes; a trusted root file holds the raw ID bytes.
	logs := map[string]*root.TransparencyLog{}
	for id, l := range p.vs.RekorLogs() {
		c := *l
		if raw, err := hex.DecodeString(id); err == nil {
			c.ID = raw
		}
		logs[id] = &c
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01,
		p.vs.FulcioCertificateAuthorities(), ct, p.vs.TimestampingAuthorities(), logs)
	if err != nil {
		p.t.Fatalf("attesttest: trusted root: %v", err)
	}
	out, err := tr.MarshalJSON()
	if err != nil {
		p.t.Fatalf("attesttest: trusted root: %v", err)
	}
	return out
}

// Sign signs statement as identity (an email SAN) from issuer, logged in
// Rekor at logTime (zero: five minutes from now, inside the certificate's
// validity), and returns a v0.3 bundle as JSON.
func (p *PublicGood) Sign(identity, issuer string, statement []byte, logTime time.Time) []byte {
	p.t.Helper()
	if logTime.IsZero() {
		logTime = time.Now().Add(5 * time.Minute)
	}
	ent, err := p.vs.AttestAtTime(identity, issuer, statement, logTime, true)
	if err != nil {
		p.t.Fatalf("attesttest: attest: %v", err)
	}
	leaf, sc, stamps, tles := p.entityParts(ent, "dsse")
	return bundleJSON(p.t, bundleParts{certs: [][]byte{leaf}, env: sc.EnvelopeContent().RawEnvelope(), stamps: stamps, tlog: tles})
}

// SignMessage signs artifact itself (a plain message signature, as cosign
// sign-blob makes, no statement) as identity from issuer, logged in Rekor
// at logTime (zero: five minutes from now), and returns a v0.1 bundle
// (VirtualSigstore makes no inclusion proof for these, which v0.2 and later
// require).
func (p *PublicGood) SignMessage(identity, issuer string, artifact []byte, logTime time.Time) []byte {
	p.t.Helper()
	if logTime.IsZero() {
		logTime = time.Now().Add(5 * time.Minute)
	}
	ent, err := p.vs.SignAtTime(identity, issuer, artifact, logTime)
	if err != nil {
		p.t.Fatalf("attesttest: sign: %v", err)
	}
	leaf, sc, stamps, tles := p.entityParts(ent, "hashedrekord")
	ms := sc.MessageSignatureContent()
	msg := &protocommon.MessageSignature{
		MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: ms.Digest()},
		Signature:     ms.Signature(),
	}
	return bundleJSON(p.t, bundleParts{version: "v0.1", certs: [][]byte{leaf}, msg: msg, stamps: stamps, tlog: tles})
}

// entityParts reads what a bundle needs from a VirtualSigstore entity:
// the leaf certificate (DER), the signature content, the timestamps and
// the log entries completed as Rekor of kind answers them.
func (p *PublicGood) entityParts(ent *ca.TestEntity, kind string) ([]byte, verify.SignatureContent, [][]byte, []*protorekorEntry) {
	p.t.Helper()
	vc, err := ent.VerificationContent()
	if err != nil {
		p.t.Fatalf("attesttest: %v", err)
	}
	sc, err := ent.SignatureContent()
	if err != nil {
		p.t.Fatalf("attesttest: %v", err)
	}
	stamps, err := ent.Timestamps()
	if err != nil {
		p.t.Fatalf("attesttest: %v", err)
	}
	entries, err := ent.TlogEntries()
	if err != nil {
		p.t.Fatalf("attesttest: %v", err)
	}
	var tles []*protorekorEntry
	for _, e := range entries {
		tles = append(tles, p.withPromise(e, kind))
	}
	return vc.Certificate().Raw, sc, stamps, tles
}

// withPromise completes the entry the way Rekor's response does: kind,
// version and the signed entry timestamp, which tlog.Entry keeps private.
func (p *PublicGood) withPromise(e *tlog.Entry, kind string) *protorekorEntry {
	p.t.Helper()
	tle := proto.Clone(e.TransparencyLogEntry()).(*protorekorEntry)
	tle.KindVersion = &protorekor.KindVersion{Kind: kind, Version: "0.0.1"}
	logID, err := p.vs.RekorLogID()
	if err != nil {
		p.t.Fatalf("attesttest: %v", err)
	}
	set, err := p.vs.RekorSignPayload(tlog.RekorPayload{
		LogID:          logID,
		IntegratedTime: tle.IntegratedTime,
		LogIndex:       tle.LogIndex,
		Body:           base64.StdEncoding.EncodeToString(tle.CanonicalizedBody),
	})
	if err != nil {
		p.t.Fatalf("attesttest: signed entry timestamp: %v", err)
	}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	if raw, err := hex.DecodeString(logID); err == nil {
		tle.LogId = &protocommon.LogId{KeyId: raw}
	}
	return tle
}
