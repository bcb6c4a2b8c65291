package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/decision"
)

// decisionFlags are `zgate serve`'s flags for signed gate decisions
// (docs/attestations.md, "Signed gate decisions").
type decisionFlags struct {
	signingKey, tsa string
}

// decisionEnv maps each decision flag to its environment variable.
func decisionEnv() map[string]string {
	return map[string]string{
		"signing-key": "ZGATE_SIGNING_KEY",
		"tsa":         "ZGATE_TSA",
	}
}

func (f *decisionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.signingKey, "signing-key", "", "PEM private key `FILE` (ECDSA P-256 or Ed25519, unencrypted) to sign the decision of every Z with; none signs nothing")
	fs.StringVar(&f.tsa, "tsa", "", "RFC 3161 timestamp authority `URL` for signed decisions; without one they never verify")
}

// apply sets o.Decisions from the flags.
func (f *decisionFlags) apply(o *app.Options, log *slog.Logger) error {
	if f.signingKey == "" {
		if f.tsa != "" {
			return errors.New("--tsa needs --signing-key: it timestamps signed decisions")
		}
		return nil
	}
	key, err := readSigningKey(f.signingKey)
	if err != nil {
		return err
	}
	if f.tsa == "" {
		log.Warn("signed gate decisions have no timestamp authority (--tsa): nothing vouches for their signing time, so they never verify")
	}
	o.Decisions = &decision.Signer{Key: key, TSAURL: f.tsa, Version: zgateVersion()}
	return nil
}

// readSigningKey reads an unencrypted PEM private key, ECDSA P-256 or
// Ed25519. KMS keys are not supported: sigstore's KMS signers need a cloud
// SDK each, which this build does not carry.
func readSigningKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the signing key: %w", err)
	}
	noPassword := func(bool) ([]byte, error) { return nil, errors.New("encrypted signing keys are not supported") }
	key, err := cryptoutils.UnmarshalPEMToPrivateKey(data, noPassword)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("signing key %s: ECDSA curve %s is not P-256", path, k.Curve.Params().Name)
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("signing key %s: %T is neither ECDSA P-256 nor Ed25519", path, key)
}

// zgateVersion is the main module's version as built ("(devel)" for a
// local build).
func zgateVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
