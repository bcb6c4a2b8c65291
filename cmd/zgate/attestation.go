package main

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/decision"
)

// runAttestation is `zgate attestation verify|sign`.
func runAttestation(ctx context.Context, e env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "usage: zgate attestation verify|sign [flags]")
		return exitUsage
	}
	switch args[0] {
	case "verify":
		return runAttestationVerify(ctx, e, args[1:])
	case "sign":
		return runAttestationSign(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(e.stderr, "usage: zgate attestation verify|sign [flags]")
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "zgate attestation: unknown subcommand %q (verify, sign)\n", args[0])
		return exitUsage
	}
}

// verifyJSON is the --json output of `zgate attestation verify`.
type verifyJSON struct {
	Commit string `json:"commit,omitempty"`
	// ArtifactDigest and Statement are set for --artifact and --digest;
	// Statement is absent for a message signature.
	ArtifactDigest string          `json:"artifact_digest,omitempty"`
	PredicateType  string          `json:"predicate_type,omitempty"`
	Issuer         string          `json:"issuer"`
	Identity       string          `json:"identity"`
	SignedAt       time.Time       `json:"signed_at"`
	Statement      json.RawMessage `json:"statement,omitempty"`
}

// runAttestationVerify verifies the bundles of a file (JSON or JSON lines)
// against a commit and a signer policy: exit 0 and a summary when one
// verifies and matches, 1 with the reasons otherwise, 2 on bad arguments or
// unreadable input.
func runAttestationVerify(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("attestation verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var (
		bundlePath = fs.String("bundle", "", "bundle `FILE`: a Sigstore bundle or DSSE envelope, JSON or JSON lines (required)")
		rootPath   = fs.String("trusted-root", "", "trusted root `FILE`, JSON or JSON lines (required unless --key)")
		repo       = fs.String("repo", "", "`OWNER/REPO` the commit belongs to (required)")
		commit     = fs.String("commit", "", "full commit `SHA` the statement must be about (required)")
		pol        attest.SignerPolicy
		keyPath    = fs.String("key", "", "PEM `FILE` of public keys trusted for keyed attestations")
		asJSON     = fs.Bool("json", false, "print the verified attestation as JSON")
		artPath    = fs.String("artifact", "", "verify against the artifact in `FILE` instead of a commit (message signatures and statement subjects)")
		artDigest  = fs.String("digest", "", "verify against the artifact of digest `ALG:HEX` (sha256, sha384, sha512) instead of a commit")
		gate       = fs.String("gate", "", "with --predicate-type "+decision.PredicateType+": the gate `NAME` the decision must be of")
		githubURL  = fs.String("github-url", "", "GitHub REST API root to fetch signed decisions from when --bundle is not given (default GITHUB_API_URL, else "+ghclient.DefaultBaseURL+"); the token is GITHUB_TOKEN, if set")
	)
	fs.StringVar(&pol.Issuer, "issuer", "", "OIDC issuer `URL`, exact (required unless --key)")
	fs.StringVar(&pol.Identity, "identity", "", "certificate identity `REGEX`, anchored (required unless --key)")
	fs.StringVar(&pol.PredicateType, "predicate-type", "", "required predicate type `URI`")
	fs.StringVar(&pol.SourceRepository, "source-repository", "", "required source repository `OWNER/REPO` of the signing workflow")
	fs.StringVar(&pol.SignerWorkflow, "signer-workflow", "", "signer workflow `REGEX`, anchored")
	fs.StringVar(&pol.RunnerEnvironment, "runner-environment", "", "required runner environment (github-hosted)")
	setUsage(fs, "usage: zgate attestation verify --bundle FILE --trusted-root FILE (--repo OWNER/REPO --commit SHA | --artifact FILE | --digest ALG:HEX) --issuer URL --identity REGEX [--predicate-type URI] [--key PEM] [--json]\n"+
		"       zgate attestation verify --key PUB --predicate-type "+decision.PredicateType+" --repo OWNER/REPO --commit SHA [--gate NAME] [--trusted-root FILE] [--bundle FILE] [--json]")
	if code, ok := parseFlags(fs, args, true); !ok {
		return code
	}
	var (
		subject  attest.Commit
		artifact *attest.Artifact
		err      error
	)
	switch {
	case *artPath != "" && *artDigest != "":
		return usageError(fs, "--artifact and --digest exclude each other")
	case (*artPath != "" || *artDigest != "") && (*repo != "" || *commit != ""):
		return usageError(fs, "--artifact and --digest verify an artifact, not a commit: drop --repo and --commit")
	case *artPath != "":
		data, err := os.ReadFile(*artPath)
		if err != nil {
			return usageError(fs, "%v", err)
		}
		a := attest.ArtifactBytes(data)
		artifact = &a
	case *artDigest != "":
		a, err := attest.ParseDigest(*artDigest)
		if err != nil {
			return usageError(fs, "--digest: %v", err)
		}
		artifact = &a
	default:
		if subject, err = parseCommit(*repo, *commit); err != nil {
			return usageError(fs, "%v", err)
		}
	}
	isDecision := pol.PredicateType == decision.PredicateType
	switch {
	case *gate != "" && !isDecision:
		return usageError(fs, "--gate needs --predicate-type %s", decision.PredicateType)
	case isDecision && artifact != nil:
		return usageError(fs, "a gate decision is about a commit: use --repo and --commit")
	case *bundlePath == "" && !isDecision:
		return usageError(fs, "--bundle is required")
	}
	if *keyPath == "" && *rootPath == "" {
		return usageError(fs, "--trusted-root is required (or --key for keyed attestations)")
	}
	var opts []attest.Option
	if *keyPath != "" {
		data, err := os.ReadFile(*keyPath)
		if err != nil {
			return usageError(fs, "%v", err)
		}
		keys, err := attest.ParsePublicKeys(data)
		if err != nil {
			return usageError(fs, "%s: %v", *keyPath, err)
		}
		opts = append(opts, attest.WithPublicKeys(keys...))
		if pol.Issuer == "" {
			pol.Issuer = attest.KeyIssuer
		}
		if pol.Identity == "" {
			pol.Identity = ".*" // only the configured keys verify at all
		}
	}
	if err := pol.Validate(); err != nil {
		return usageError(fs, "%v", err)
	}
	var roots *attest.TrustedRoots
	if *rootPath != "" {
		data, err := os.ReadFile(*rootPath)
		if err != nil {
			return usageError(fs, "%v", err)
		}
		roots, err = attest.LoadTrustedRoots(data)
		if err != nil {
			return usageError(fs, "%s: %v", *rootPath, err)
		}
	}
	var bundles [][]byte
	source := *bundlePath
	if *bundlePath == "" {
		source = "GitHub attestations of " + subject.String()
		if bundles, err = fetchDecisions(ctx, e, *githubURL, subject); err != nil {
			fmt.Fprintf(e.stderr, "zgate attestation verify: %v\n", err)
			return exitFailed
		}
	} else {
		data, err := os.ReadFile(*bundlePath)
		if err != nil {
			return usageError(fs, "%v", err)
		}
		if bundles, err = attest.SplitBundles(data); err != nil {
			fmt.Fprintf(e.stderr, "zgate attestation verify: %s: %v\n", *bundlePath, err)
			return exitFailed
		}
	}
	if len(bundles) == 0 {
		fmt.Fprintf(e.stderr, "zgate attestation verify: %s: no bundle\n", source)
		return exitFailed
	}
	v := attest.NewVerifier(roots, opts...)
	if isDecision {
		return verifyDecisions(e, v, bundles, subject, pol, *gate, *asJSON)
	}
	var reasons []string
	for i, b := range bundles {
		var res attest.Result
		if artifact != nil {
			res, err = v.VerifyArtifact(b, *artifact)
		} else {
			res, err = v.Verify(b, subject)
		}
		if err == nil {
			err = pol.Check(res)
		}
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("bundle %d (%s): %v", i+1, res.BundleDigest, err))
			continue
		}
		return printVerified(e, res, *asJSON)
	}
	for _, r := range reasons {
		fmt.Fprintf(e.stderr, "zgate attestation verify: %s\n", r)
	}
	return exitFailed
}

func printVerified(e env, res attest.Result, asJSON bool) int {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		if err := enc.Encode(verifyJSON{
			Commit:         res.Commit,
			ArtifactDigest: res.ArtifactDigest,
			PredicateType:  res.PredicateType,
			Issuer:         res.Issuer,
			Identity:       res.Identity,
			SignedAt:       res.SignedAt,
			Statement:      statementIfArtifact(res),
		}); err != nil {
			fmt.Fprintf(e.stderr, "zgate attestation verify: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	if res.ArtifactDigest != "" {
		what := "message signature"
		if res.PredicateType != "" {
			what = "statement " + res.PredicateType
		}
		fmt.Fprintf(e.stdout, "verified: %s %s signed by %s (%s) at %s\n",
			res.ArtifactDigest, what, res.Identity, res.Issuer, res.SignedAt.UTC().Format(time.RFC3339))
		return exitOK
	}
	fmt.Fprintf(e.stdout, "verified: %s@%s %s signed by %s (%s) at %s\n",
		res.Repository, res.Commit, res.PredicateType, res.Identity, res.Issuer, res.SignedAt.UTC().Format(time.RFC3339))
	return exitOK
}

// statementIfArtifact keeps --json of commit attestations as it was: the
// statement is printed for artifacts, whose subjects the caller may want.
func statementIfArtifact(res attest.Result) json.RawMessage {
	if res.ArtifactDigest == "" {
		return nil
	}
	return res.Statement
}

// parseCommit checks --repo and --commit.
func parseCommit(repo, sha string) (attest.Commit, error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return attest.Commit{}, fmt.Errorf("--repo %q is not OWNER/REPO", repo)
	}
	if sha == "" {
		return attest.Commit{}, errors.New("--commit is required")
	}
	c := attest.Commit{Owner: owner, Repo: name, SHA: sha}
	if err := c.Validate(); err != nil {
		return attest.Commit{}, err
	}
	return c, nil
}

// runAttestationSign writes a keyed attestation (Sigstore v0.3 bundle with
// a public-key hint) about a commit.
func runAttestationSign(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("attestation sign", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var (
		keyPath       = fs.String("key", "", "private key PEM `FILE` (cosign-encrypted keys read COSIGN_PASSWORD) (required)")
		repo          = fs.String("repo", "", "`OWNER/REPO` (required)")
		commit        = fs.String("commit", "", "full commit `SHA` (required)")
		predicateType = fs.String("predicate-type", "", "predicate type `URI` (required)")
		predicatePath = fs.String("predicate", "", "predicate JSON `FILE`, \"-\" for standard input (required)")
		outPath       = fs.String("out", "", "write the bundle to `FILE` instead of standard output")
		tsaURL        = fs.String("tsa", "", "RFC 3161 timestamp authority `URL`; without one the attestation never counts as a control")
	)
	setUsage(fs, "usage: zgate attestation sign --key FILE --repo OWNER/REPO --commit SHA --predicate-type URI --predicate FILE [--out FILE] [--tsa URL]")
	if code, ok := parseFlags(fs, args, true); !ok {
		return code
	}
	subject, err := parseCommit(*repo, *commit)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	for _, f := range []struct{ name, val string }{{"--key", *keyPath}, {"--predicate-type", *predicateType}, {"--predicate", *predicatePath}} {
		if f.val == "" {
			return usageError(fs, "%s is required", f.name)
		}
	}
	key, err := loadPrivateKey(e, *keyPath)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	var predicate []byte
	if *predicatePath == "-" {
		predicate, err = io.ReadAll(e.stdin)
	} else {
		predicate, err = os.ReadFile(*predicatePath)
	}
	if err != nil {
		return usageError(fs, "%v", err)
	}
	statement, err := attest.NewStatement(subject, *predicateType, predicate)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	if *tsaURL == "" {
		fmt.Fprintln(e.stderr, "zgate attestation sign: warning: without --tsa nothing vouches for the signing time, so this bundle can never count as a control (see docs/attestations.md)")
	}
	out, err := attest.SignKeyed(ctx, key, statement, attest.SignOptions{TSAURL: *tsaURL})
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate attestation sign: %v\n", err)
		return exitFailed
	}
	out = append(out, '\n')
	if *outPath == "" {
		if _, err := e.stdout.Write(out); err != nil {
			fmt.Fprintf(e.stderr, "zgate attestation sign: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	if err := os.WriteFile(*outPath, out, 0o644); err != nil {
		fmt.Fprintf(e.stderr, "zgate attestation sign: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// loadPrivateKey reads a PEM private key; encrypted cosign/sigstore keys
// are decrypted with COSIGN_PASSWORD.
func loadPrivateKey(e env, path string) (crypto.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pass := func(bool) ([]byte, error) { return []byte(e.getenv("COSIGN_PASSWORD")), nil }
	key, err := cryptoutils.UnmarshalPEMToPrivateKey(data, pass)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (for an encrypted key, set COSIGN_PASSWORD)", path, err)
	}
	return key, nil
}
