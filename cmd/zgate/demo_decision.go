package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/zgate-dev/zgate/app/decision"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
	dec "github.com/zgate-dev/zgate/decision"
)

// demoSigning is the demo's signing setup for gate decisions: a generated
// ECDSA P-256 key and an in-process RFC 3161 timestamp authority (the
// test fixtures' simulated GitHub instance), whose trusted root is what
// verifies the decision's time.
type demoSigning struct {
	key      crypto.Signer
	tsaURL   string
	rootFile string
	close    func()
}

// fixtureTB lets the attest fixtures, written for tests, report a failure
// to the demo: they panic with it and setupSigning recovers.
type fixtureTB struct{}

func (fixtureTB) Helper() {}
func (fixtureTB) Fatalf(format string, args ...any) {
	panic(fixtureFailure(fmt.Sprintf(format, args...)))
}

type fixtureFailure string

// setupSigning makes the key, starts the timestamp authority on loopback
// and writes its trusted root into dir.
func setupSigning(dir string) (s *demoSigning, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(fixtureFailure)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("the signing fixtures: %s", f)
		}
	}()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	gh := attesttest.NewGitHubInstance(fixtureTB{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: gh.TSAHandler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	root := filepath.Join(dir, "trusted_root.json")
	if err := os.WriteFile(root, gh.TrustedRootJSON(), 0o600); err != nil {
		srv.Close()
		return nil, fmt.Errorf("trusted root: %w", err)
	}
	return &demoSigning{key: key, tsaURL: "http://" + ln.Addr().String(), rootFile: root, close: func() { srv.Close() }}, nil
}

// signer is the App's decision signer.
func (s *demoSigning) signer() *decision.Signer {
	return &decision.Signer{Key: s.key, TSAURL: s.tsaURL, Version: zgateVersion()}
}

// verifyDecision does what `zgate attestation verify --key PUB
// --trusted-root ROOT --predicate-type https://zgate.dev/gate-decision/v1
// --repo acme/payments --commit SHA --gate production` does: it fetches
// the decisions about the merge commit from the simulator's attestations
// API with the installation's token and prints the one that verifies with
// the public key alone.
func (d *demo) verifyDecision(ctx context.Context, s *demoSigning, apps *ghclient.Apps, mergeSHA string) error {
	d.say("\n8. zgate signed its decision (ECDSA P-256 key, timestamped by a TSA) and uploaded it to the")
	d.say("   repository's attestations. A deploy pipeline checks it before it ships, as with")
	d.say("   zgate attestation verify --key decision.pub --trusted-root trusted_root.json \\")
	d.say("     --predicate-type %s --repo %s/%s --commit %s --gate production", dec.PredicateType, demoOwner, demoRepo, short(mergeSHA))
	gh, err := apps.Installation(d.sim.InstallationID(demoOwner))
	if err != nil {
		return err
	}
	data, err := os.ReadFile(s.rootFile)
	if err != nil {
		return err
	}
	roots, err := attest.LoadTrustedRoots(data)
	if err != nil {
		return err
	}
	v := attest.NewVerifier(roots, attest.WithPublicKeys(s.key.Public()))
	c := attest.Commit{Owner: demoOwner, Repo: demoRepo, SHA: mergeSHA}
	pol := attest.SignerPolicy{Issuer: attest.KeyIssuer, Identity: ".*"}
	deadline := time.Now().Add(demoStepTimeout)
	for {
		var bundles [][]byte
		for _, digest := range attest.SubjectDigests(c.Owner, c.Repo, c.SHA) {
			bs, err := attest.FetchBundles(ctx, gh, c.Owner, c.Repo, digest, dec.PredicateType)
			if err != nil {
				return fmt.Errorf("fetch the decisions: %w", err)
			}
			bundles = append(bundles, bs...)
		}
		// The decision is signed after the merge: wait for it.
		if len(bundles) > 0 {
			e := env{stdout: &indented{w: d.out}, stderr: &indented{w: d.out}}
			if verifyDecisions(e, v, bundles, c, pol, "production", false) != exitOK {
				return errors.New("the signed decision does not verify")
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no signed decision about %s", short(mergeSHA))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// indented writes each line with the demo's indentation.
type indented struct {
	w   interface{ Write([]byte) (int, error) }
	mid bool // inside a line
}

func (o *indented) Write(p []byte) (int, error) {
	for _, b := range p {
		if !o.mid {
			if _, err := o.w.Write([]byte("   ")); err != nil {
				return 0, err
			}
		}
		if _, err := o.w.Write([]byte{b}); err != nil {
			return 0, err
		}
		o.mid = b != '\n'
	}
	return len(p), nil
}
