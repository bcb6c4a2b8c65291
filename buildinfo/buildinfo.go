package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Set by release builds with -ldflags "-X github.com/zgate-dev/zgate/buildinfo.version=v1.2.3"
// (and revision, commitTime); empty otherwise. Link-time values can only
// live in package variables.
var (
	version    string
	revision   string
	commitTime string
)

// Unknown is printed for a field the binary does not record.
const Unknown = "unknown"

// Info identifies a build.
type Info struct {
	// Version is the main module's version: a release tag ("v1.2.3"), a
	// pseudo-version Go derives from the VCS, or "(devel)".
	Version string `json:"version"`
	// Revision is the VCS commit the binary was built from.
	Revision string `json:"revision"`
	// Time is the commit time of Revision (RFC 3339).
	Time string `json:"time"`
	// Modified is true when the work tree had uncommitted changes.
	Modified bool `json:"modified"`
	// GoVersion is the Go toolchain that built the binary.
	GoVersion string `json:"go_version"`
}

// Read returns this binary's build information.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return fromBuildInfo(bi, linked{version: version, revision: revision, time: commitTime})
}

// linked holds the values set with -ldflags -X.
type linked struct{ version, revision, time string }

// fromBuildInfo reads bi (nil: the binary has none) and lets the linked
// values override it; fields nobody knows are [Unknown].
func fromBuildInfo(bi *debug.BuildInfo, l linked) Info {
	in := Info{Version: Unknown, Revision: Unknown, Time: Unknown, GoVersion: runtime.Version()}
	if bi != nil {
		if bi.Main.Version != "" {
			in.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			in.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Revision = s.Value
			case "vcs.time":
				in.Time = s.Value
			case "vcs.modified":
				in.Modified = s.Value == "true"
			}
		}
	}
	if l.version != "" {
		in.Version = l.version
	}
	if l.revision != "" {
		in.Revision = l.revision
		in.Modified = false
	}
	if l.time != "" {
		in.Time = l.time
	}
	return in
}

// String is the one-line form: "v1.2.3 (abc1234, 2026-01-02T03:04:05Z) go1.26.8".
func (in Info) String() string {
	rev := in.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if in.Modified {
		rev += "-dirty"
	}
	return in.Version + " (" + rev + ", " + in.Time + ") " + in.GoVersion
}
