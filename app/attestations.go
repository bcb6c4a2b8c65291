package app

import (
	"fmt"
	"os"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/attest"
)

// attestationSource builds the attestation source from the trusted root
// file; none when it is unset, so attestation controls never hold (fail
// closed).
func attestationSource(o Options) (facts.AttestationSource, error) {
	if o.TrustedRoot == "" {
		return nil, nil
	}
	data, err := os.ReadFile(o.TrustedRoot)
	if err != nil {
		return nil, fmt.Errorf("read the trusted root: %w", err)
	}
	roots, err := attest.LoadTrustedRoots(data)
	if err != nil {
		return nil, fmt.Errorf("trusted root %s: %w", o.TrustedRoot, err)
	}
	return facts.NewAttestSource(attest.NewVerifier(roots)), nil
}
