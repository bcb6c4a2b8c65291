package attest

import (
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

var timeZero time.Time

// Result is what a verified attestation says, for the policy evaluator and
// for reports. Fields from the certificate are empty for keyed attestations.
type Result struct {
	// Commit is the commit the statement is bound to.
	Commit string `json:"commit"`
	// Repository is "owner/repo" of that commit.
	Repository    string `json:"repository"`
	PredicateType string `json:"predicate_type"`
	// Issuer is the OIDC issuer of the signing certificate, or [KeyIssuer].
	Issuer string `json:"issuer"`
	// Identity is the certificate's subject alternative name (for GitHub
	// Actions, the workflow URI with its ref), or the key fingerprint.
	Identity string `json:"identity"`
	// SourceRepository is the repository URI the workflow ran in.
	SourceRepository string `json:"source_repository,omitempty"`
	// SignerWorkflow is the certificate's build signer URI: the workflow
	// file that signed, with its ref.
	SignerWorkflow string `json:"signer_workflow,omitempty"`
	// RunnerEnvironment is "github-hosted" or "self-hosted".
	RunnerEnvironment string `json:"runner_environment,omitempty"`
	// SignedAt is the earliest verified timestamp (timestamp authority or
	// transparency log), never the local clock.
	SignedAt time.Time `json:"signed_at"`
	// BundleDigest is "sha256:" and the hex SHA-256 of the bundle bytes.
	BundleDigest string `json:"bundle_digest"`
	// ArtifactDigest is the "alg:hex" digest [Verifier.VerifyArtifact]
	// matched; empty for [Verifier.Verify].
	ArtifactDigest string `json:"artifact_digest,omitempty"`
	// Statement is the verified in-toto statement, exactly as signed; nil for
	// a message signature.
	Statement json.RawMessage `json:"-"`
}

// Verifier verifies bundles against trusted roots and configured keys. It
// caches what it verified by bundle digest, and is safe for concurrent use.
type Verifier struct {
	roots *TrustedRoots
	keys  keySet
	cache *cache
}

// Option configures a [Verifier].
type Option func(*Verifier)

// WithPublicKeys trusts keys for keyed attestations (bundles with a public
// key hint, and DSSE envelopes). Keys of unsupported types are ignored; use
// [ParsePublicKeys] to reject them with an error first.
func WithPublicKeys(keys ...crypto.PublicKey) Option {
	return func(v *Verifier) {
		for _, pub := range keys {
			if k, err := newTrustedKey(pub); err == nil {
				v.keys.add(k)
			}
		}
	}
}

// WithCacheSize bounds the result cache (default 4096 bundles; 0 disables
// it).
func WithCacheSize(n int) Option {
	return func(v *Verifier) { v.cache = newCache(n) }
}

// DefaultCacheSize is the number of verification results a Verifier keeps.
const DefaultCacheSize = 4096

// NewVerifier returns a Verifier for bundles signed by the instances of
// roots (nil: keyed attestations only).
func NewVerifier(roots *TrustedRoots, opts ...Option) *Verifier {
	v := &Verifier{roots: roots, cache: newCache(DefaultCacheSize)}
	if v.roots == nil {
		v.roots = &TrustedRoots{}
	}
	for _, o := range opts {
		o(v)
	}
	return v
}

// verified is the commit-independent outcome of verifying one bundle; it is
// what the cache keeps.
type verified struct {
	stmt statement
	// payload is the signed statement; nil for a message signature.
	payload           []byte
	issuer            string
	identity          string
	sourceRepository  string
	signerWorkflow    string
	runnerEnvironment string
	signedAt          time.Time
	// timeErr is set when the signature verifies but no time does (keyed
	// attestations without a timestamp), so binding is reported first.
	timeErr error
}

// Verify verifies bundleJSON (a Sigstore bundle, or a DSSE envelope signed
// by a configured key) and checks that its in-toto statement is bound to
// subject. It does not check who signed it: see [SignerPolicy.Check].
//
// A rejected attestation returns an error wrapping [ErrRejected] whose
// message is the reason, and a Result with whatever was established
// (at least BundleDigest). Any other error means subject is invalid.
func (v *Verifier) Verify(bundleJSON []byte, subject Commit) (Result, error) {
	res := Result{BundleDigest: bundleDigest(bundleJSON)}
	if err := subject.Validate(); err != nil {
		return res, fmt.Errorf("attest: %w", err)
	}
	vd, err := v.cached(bundleJSON, res.BundleDigest, nil)
	if err != nil {
		return res, err
	}
	vd.fill(&res)
	if err := checkBinding(vd.stmt, subject, vd.sourceRepository); err != nil {
		return res, err
	}
	res.Commit = subject.SHA
	res.Repository = subject.Owner + "/" + subject.Repo
	if vd.timeErr != nil {
		return res, vd.timeErr
	}
	res.SignedAt = vd.signedAt
	return res, nil
}

func bundleDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// cached verifies data against art (nil: a statement about anything, as
// for commits) once per bundle digest and artifact.
func (v *Verifier) cached(data []byte, digest string, art *Artifact) (*verified, error) {
	key := digest
	if art != nil {
		key += " " + art.cacheKey()
	}
	vd, err := v.cache.get(key)
	if err == nil && vd == nil {
		vd, err = v.verify(data, art)
		v.cache.put(key, vd, err)
	}
	return vd, err
}

// fill copies what verification established about the signer into res.
func (vd *verified) fill(res *Result) {
	res.PredicateType = vd.stmt.PredicateType
	res.Issuer = vd.issuer
	res.Identity = vd.identity
	res.SourceRepository = vd.sourceRepository
	res.SignerWorkflow = vd.signerWorkflow
	res.RunnerEnvironment = vd.runnerEnvironment
	if vd.payload != nil {
		res.Statement = json.RawMessage(vd.payload)
	}
}

// verify dispatches on the input's shape: a Sigstore bundle has a mediaType,
// a DSSE envelope a payloadType.
func (v *Verifier) verify(data []byte, art *Artifact) (*verified, error) {
	var probe struct {
		MediaType   string          `json:"mediaType"`
		PayloadType string          `json:"payloadType"`
		Signatures  json.RawMessage `json:"signatures"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, rejectCause(ErrMalformed, err, "not a Sigstore bundle or DSSE envelope")
	}
	switch {
	case probe.MediaType != "":
		return v.verifyBundle(data, art)
	case probe.PayloadType != "" || probe.Signatures != nil:
		return v.verifyEnvelope(data)
	default:
		return nil, reject(ErrMalformed, "not a Sigstore bundle (no mediaType) or DSSE envelope (no payloadType)")
	}
}
