package facts

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zgate-dev/zgate/attest/attesttest"
)

func TestLoadAttestSource(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "root.json")
	if err := os.WriteFile(good, attesttest.NewGitHubInstance(t).TrustedRootJSON(), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		file       string
		wantSource bool
		wantErr    bool
	}{
		{name: "no file: no source, attestation controls fail closed", file: ""},
		{name: "trusted root", file: good, wantSource: true},
		{name: "missing file", file: filepath.Join(dir, "missing.json"), wantErr: true},
		{name: "not a trusted root", file: bad, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := LoadAttestSource(tt.file)
			if (err != nil) != tt.wantErr {
				t.Fatalf("LoadAttestSource(%q) error = %v, want error %v", tt.file, err, tt.wantErr)
			}
			if got := src != nil; got != tt.wantSource {
				t.Errorf("LoadAttestSource(%q) source = %v, want %v", tt.file, got, tt.wantSource)
			}
		})
	}
}
