package decision

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"google.golang.org/protobuf/encoding/protojson"
)

// ErrNotCanonical is returned by [Verify] for a bundle that verifies but is
// not byte for byte what zgate writes: parts no signature covers (the key
// hint, JSON layout, base64 padding bits, the wrapper of the RFC 3161
// timestamp) were changed. A decision is evidence: it must fail after any
// change, not only after a change of what is signed.
var ErrNotCanonical = errors.New("gate decision bundle is not as zgate signed it")

// checkCanonical checks that data is the canonical JSON of the bundle it
// parses to (as attest.SignKeyed writes it), that its key hint is the one
// of the key with fingerprint ("sha256:<hex>"), and that its timestamps are
// strict DER with every unsigned field at the value zgate's timestamp
// authorities give it.
func checkCanonical(data []byte, fingerprint string) error {
	b := &bundle.Bundle{}
	if err := b.UnmarshalJSON(data); err != nil {
		return fmt.Errorf("%w: %w", ErrNotCanonical, err)
	}
	out, err := protojson.Marshal(b.Bundle)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotCanonical, err)
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		return fmt.Errorf("%w: %w", ErrNotCanonical, err)
	}
	if out, err = json.Marshal(v); err != nil {
		return fmt.Errorf("%w: %w", ErrNotCanonical, err)
	}
	if !bytes.Equal(out, data) {
		return fmt.Errorf("%w: not its canonical JSON", ErrNotCanonical)
	}
	sum, err := hex.DecodeString(strings.TrimPrefix(fingerprint, "sha256:"))
	if err != nil {
		return fmt.Errorf("%w: signer %q is not a key", ErrNotCanonical, fingerprint)
	}
	if pk := b.GetVerificationMaterial().GetPublicKey(); pk == nil || pk.GetHint() != base64.StdEncoding.EncodeToString(sum) {
		return fmt.Errorf("%w: its key hint is not the signing key's", ErrNotCanonical)
	}
	for i, ts := range b.GetVerificationMaterial().GetTimestampVerificationData().GetRfc3161Timestamps() {
		if err := strictTimestamp(ts.GetSignedTimestamp()); err != nil {
			return fmt.Errorf("%w: timestamp %d: %w", ErrNotCanonical, i+1, err)
		}
	}
	return nil
}

var (
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
)

type pkiStatusInfo struct {
	Status int
}

type timeStampResp struct {
	Status pkiStatusInfo
	Token  contentInfo
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	SignerInfos      []signerInfo  `asn1:"set"`
}

type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     []byte `asn1:"explicit,tag:0"`
}

type signerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
}

// strictTimestamp checks an RFC 3161 TimeStampResp: strict DER that
// re-encodes to itself, status granted, one signer, and the fields no
// signature covers (versions, content types, digest algorithm set) at their
// only correct values. The signed parts are verified by sigstore-go.
func strictTimestamp(der []byte) error {
	// Parsers of CMS accept BER and lengths they do not need, and some
	// re-encode what they parsed before checking a signature: every
	// element must be DER, to the last nested length.
	if err := derWalk(der, 0); err != nil {
		return err
	}
	var resp timeStampResp
	if err := strictUnmarshal(der, &resp); err != nil {
		return err
	}
	if resp.Status.Status != 0 {
		return fmt.Errorf("status %d, not granted (0)", resp.Status.Status)
	}
	if !resp.Token.ContentType.Equal(oidSignedData) {
		return fmt.Errorf("content type %v, not signed data", resp.Token.ContentType)
	}
	var sd signedData
	if err := strictUnmarshal(resp.Token.Content.Bytes, &sd); err != nil {
		return fmt.Errorf("signed data: %w", err)
	}
	if sd.Version != 3 || !sd.EncapContentInfo.EContentType.Equal(oidTSTInfo) || len(sd.SignerInfos) != 1 {
		return errors.New("signed data is not a timestamp token of one signer (version 3, TSTInfo)")
	}
	si := sd.SignerInfos[0]
	wantVersion := 1 // issuerAndSerialNumber
	if si.SID.Class == asn1.ClassContextSpecific {
		wantVersion = 3 // subjectKeyIdentifier
	}
	if si.Version != wantVersion {
		return fmt.Errorf("signer info version %d, want %d", si.Version, wantVersion)
	}
	if len(sd.DigestAlgorithms) != 1 || !sd.DigestAlgorithms[0].Algorithm.Equal(si.DigestAlgorithm.Algorithm) {
		return errors.New("digest algorithms are not the signer's")
	}
	return nil
}

// strictUnmarshal is asn1.Unmarshal that also refuses trailing data and
// any encoding that does not re-encode to itself.
func strictUnmarshal(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errors.New("trailing data")
	}
	again, err := asn1.Marshal(reflect.ValueOf(v).Elem().Interface())
	if err != nil {
		return err
	}
	if !bytes.Equal(again, der) {
		return errors.New("not canonical DER")
	}
	return nil
}

// derWalk checks that der is a sequence of DER elements, descending into
// every constructed one.
func derWalk(der []byte, depth int) error {
	if depth > 32 {
		return errors.New("nested too deep")
	}
	for len(der) > 0 {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(der, &rv)
		if err != nil {
			return err
		}
		if rv.IsCompound {
			if err := derWalk(rv.Bytes, depth+1); err != nil {
				return err
			}
		}
		der = rest
	}
	return nil
}
