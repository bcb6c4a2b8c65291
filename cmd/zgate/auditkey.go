package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/zgate-dev/zgate/app/audit"
)

// readAuditKey reads an audit key file: its bytes, without a trailing
// newline, at least audit.MinKeySize of them (e.g. `openssl rand -hex 32`).
func readAuditKey(path string) (*audit.Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the audit key: %w", err)
	}
	k, err := audit.NewKey([]byte(strings.TrimRight(string(b), "\r\n")))
	if err != nil {
		return nil, fmt.Errorf("audit key file %s: %w", path, err)
	}
	return k, nil
}

// readCheckpoints reads a checkpoint file (or a JSON log of zgate serve);
// one without any checkpoint is an error, so a wrong path cannot pass for
// "nothing was cut off".
func readCheckpoints(path string) ([]audit.Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	defer f.Close()
	cs, err := audit.ReadCheckpoints(f)
	if err != nil {
		return nil, fmt.Errorf("checkpoint file %s: %w", path, err)
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("checkpoint file %s holds no audit checkpoint", path)
	}
	return cs, nil
}
