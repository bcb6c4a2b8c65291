package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFromBuildInfo(t *testing.T) {
	vcs := func(rev, tm, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: tm},
			{Key: "vcs.modified", Value: modified},
		}
	}
	tests := []struct {
		name   string
		bi     *debug.BuildInfo
		linked linked
		want   Info
	}{
		{
			name: "no build info",
			want: Info{Version: Unknown, Revision: Unknown, Time: Unknown, GoVersion: runtime.Version()},
		},
		{
			name: "go build in a clean checkout",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/zgate-dev/zgate", Version: "v1.2.3"},
				Settings: vcs("0123456789abcdef0123456789abcdef01234567", "2026-11-30T10:00:00Z", "false")},
			want: Info{Version: "v1.2.3", Revision: "0123456789abcdef0123456789abcdef01234567", Time: "2026-11-30T10:00:00Z", GoVersion: "go1.26.8"},
		},
		{
			name: "dirty work tree",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.4-0.20261130100000-0123456789ab+dirty"},
				Settings: vcs("0123456789ab", "2026-11-30T10:00:00Z", "true")},
			want: Info{Version: "v1.2.4-0.20261130100000-0123456789ab+dirty", Revision: "0123456789ab", Time: "2026-11-30T10:00:00Z", Modified: true, GoVersion: "go1.26.8"},
		},
		{
			name: "without VCS stamping",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			want: Info{Version: "(devel)", Revision: Unknown, Time: Unknown, GoVersion: "go1.26.8"},
		},
		{
			name:   "release build: linked values win",
			bi:     &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs("ffff", "2020-01-01T00:00:00Z", "true")},
			linked: linked{version: "v1.3.0", revision: "abcdef", time: "2026-12-01T00:00:00Z"},
			want:   Info{Version: "v1.3.0", Revision: "abcdef", Time: "2026-12-01T00:00:00Z", GoVersion: "go1.26.8"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fromBuildInfo(tt.bi, tt.linked)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fromBuildInfo (-want +got):\n%s", diff)
			}
		})
	}
}

func TestString(t *testing.T) {
	in := Info{Version: "v1.2.3", Revision: "0123456789abcdef0123", Time: "2026-11-30T10:00:00Z", Modified: true, GoVersion: "go1.26.8"}
	if got, want := in.String(), "v1.2.3 (0123456789ab-dirty, 2026-11-30T10:00:00Z) go1.26.8"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestRead checks the test binary's own build info: Go always records the
// toolchain, and tests are built without VCS stamping.
func TestRead(t *testing.T) {
	got := Read()
	if got.GoVersion != runtime.Version() {
		t.Errorf("GoVersion = %q, want %q", got.GoVersion, runtime.Version())
	}
	if got.Version == "" || got.Revision == "" || got.Time == "" {
		t.Errorf("Read() left a field empty: %+v", got)
	}
}
