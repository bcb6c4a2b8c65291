package app

import (
	"github.com/zgate-dev/zgate/app/facts"
)

// attestationSource builds the attestation source from the trusted root;
// none (attestation controls never hold: fail closed) when it is unset.
func attestationSource(o Options) (facts.AttestationSource, error) {
	if o.TrustedRoot == "" {
		return nil, nil
	}
	// TEMPORARY: wired to package attest once facts exposes its source.
	o.Logger.Warn("attestation verification is not wired yet; attestation controls will not hold", "trusted_root", o.TrustedRoot)
	return nil, nil
}
