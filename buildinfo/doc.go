// Package buildinfo says which zgate this is: the module version, the VCS
// revision and time it was built from, and the Go version, as
// runtime/debug.ReadBuildInfo records them. `zgate version`, /healthz and
// the zgate_build_info metric all print [Read]'s answer.
//
// Release builds are built with -buildvcs=false so that the binaries are
// reproducible from the tagged source alone (the release commits their
// checksums, see docs/deploy.md); they pass the version, revision and time
// with -ldflags "-X", which then take precedence.
package buildinfo
