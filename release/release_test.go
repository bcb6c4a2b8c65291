// Package release_test checks the release configuration: .goreleaser.yaml
// builds what action/install.sh downloads and what docs promise, and
// release.yml publishes nothing the committed checksums do not cover.
package release_test

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type goreleaser struct {
	Version int `yaml:"version"`
	Builds  []struct {
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Flags   []string `yaml:"flags"`
		Ldflags []string `yaml:"ldflags"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Ignore  []struct {
			Goos   string `yaml:"goos"`
			Goarch string `yaml:"goarch"`
		} `yaml:"ignore"`
	} `yaml:"builds"`
	Archives []struct {
		Formats      []string `yaml:"formats"`
		NameTemplate string   `yaml:"name_template"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
	Release struct {
		Disable bool `yaml:"disable"`
	} `yaml:"release"`
}

func readGoreleaser(t *testing.T) goreleaser {
	t.Helper()
	b, err := os.ReadFile("../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var g goreleaser
	if err := yaml.Unmarshal(b, &g); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	return g
}

// TestGoreleaserConfig: four static, reproducible targets, plain binaries
// named as install.sh looks for them, sha256 checksums.txt.
func TestGoreleaserConfig(t *testing.T) {
	g := readGoreleaser(t)
	if g.Version != 2 {
		t.Errorf("version = %d, want 2 (GoReleaser v2)", g.Version)
	}
	if len(g.Builds) != 1 {
		t.Fatalf("%d builds, want 1", len(g.Builds))
	}
	b := g.Builds[0]
	if b.Main != "./cmd/zgate" || b.Binary != "zgate" {
		t.Errorf("main %q binary %q, want ./cmd/zgate and zgate", b.Main, b.Binary)
	}
	if !slices.ContainsFunc(b.Env, func(e string) bool { return strings.HasPrefix(e, "CGO_ENABLED=0") }) {
		t.Errorf("env %q lacks CGO_ENABLED=0", b.Env)
	}
	for _, f := range []string{"-trimpath", "-buildvcs=false"} {
		if !slices.Contains(b.Flags, f) {
			t.Errorf("flags %q lack %s", b.Flags, f)
		}
	}
	ld := strings.Join(b.Ldflags, " ")
	for _, v := range []string{"version={{ .Tag }}", "revision={{ .Env.ZGATE_SOURCE_REVISION }}", "commitTime={{ .Env.ZGATE_SOURCE_TIME }}"} {
		if !strings.Contains(ld, "-X github.com/zgate-dev/zgate/buildinfo."+v) {
			t.Errorf("ldflags lack -X github.com/zgate-dev/zgate/buildinfo.%s", v)
		}
	}
	var targets []string
	for _, os := range b.Goos {
		for _, arch := range b.Goarch {
			if !slices.ContainsFunc(b.Ignore, func(i struct {
				Goos   string `yaml:"goos"`
				Goarch string `yaml:"goarch"`
			}) bool {
				return i.Goos == os && i.Goarch == arch
			}) {
				targets = append(targets, os+"_"+arch)
			}
		}
	}
	slices.Sort(targets)
	if want := []string{"darwin_arm64", "linux_amd64", "linux_arm64", "windows_amd64"}; !slices.Equal(targets, want) {
		t.Errorf("targets = %v, want %v", targets, want)
	}
	// install.sh's platform list is the same four.
	sh, err := os.ReadFile("../action/install.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sh), strings.Join([]string{"linux_amd64", "linux_arm64", "darwin_arm64", "windows_amd64"}, " | ")) {
		t.Error("action/install.sh does not list the four released platforms")
	}
	if len(g.Archives) != 1 || !slices.Equal(g.Archives[0].Formats, []string{"binary"}) {
		t.Fatalf("archives = %+v, want one of format binary", g.Archives)
	}
	if got, want := g.Archives[0].NameTemplate, "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}"; got != want {
		t.Errorf("asset names %q, want %q (install.sh reads zgate_<version>_<os>_<arch>)", got, want)
	}
	if g.Checksum.NameTemplate != "checksums.txt" || g.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum = %+v, want sha256 checksums.txt", g.Checksum)
	}
	if !g.Release.Disable {
		t.Error("GoReleaser publishes: release.yml must publish after checking the committed checksums")
	}
}

// TestGoreleaserCheck runs `goreleaser check` when a goreleaser binary is
// on PATH or named by ZGATE_GORELEASER.
func TestGoreleaserCheck(t *testing.T) {
	bin := os.Getenv("ZGATE_GORELEASER")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("goreleaser"); err != nil {
			t.Skip("goreleaser is not installed (go install github.com/goreleaser/goreleaser/v2@v2.15.1, or set ZGATE_GORELEASER)")
		}
	}
	cmd := exec.Command(bin, "check", "--config", ".goreleaser.yaml")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("goreleaser check: %v\n%s", err, out)
	}
}

type workflow struct {
	On struct {
		Push struct {
			Tags []string `yaml:"tags"`
		} `yaml:"push"`
	} `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		Steps []struct {
			Name string            `yaml:"name"`
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// TestReleaseWorkflow: on v* tags, GoReleaser builds, the checksums are
// compared with the committed ones before anything is attested, pushed or
// published, and the image and binaries are attested.
func TestReleaseWorkflow(t *testing.T) {
	b, err := os.ReadFile("../.github/workflows/release.yml")
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("release.yml: %v", err)
	}
	if !slices.Equal(w.On.Push.Tags, []string{"v*"}) {
		t.Errorf("triggered by tags %q, want v*", w.On.Push.Tags)
	}
	for _, p := range []string{"contents", "id-token", "attestations", "packages"} {
		if w.Permissions[p] != "write" {
			t.Errorf("permission %s = %q, want write", p, w.Permissions[p])
		}
	}
	job, ok := w.Jobs["release"]
	if !ok {
		t.Fatal("no release job")
	}
	index := func(match func(i int) bool) int {
		for i := range job.Steps {
			if match(i) {
				return i
			}
		}
		return -1
	}
	uses := func(prefix string) int {
		return index(func(i int) bool { return strings.HasPrefix(job.Steps[i].Uses, prefix) })
	}
	build := uses("goreleaser/goreleaser-action@")
	compare := index(func(i int) bool {
		return strings.Contains(job.Steps[i].Run, "action/checksums.txt") && strings.Contains(job.Steps[i].Run, "dist/checksums.txt")
	})
	attest := uses("actions/attest-build-provenance@")
	image := uses("docker/build-push-action@")
	publish := index(func(i int) bool { return strings.Contains(job.Steps[i].Run, "gh release create") })
	for name, i := range map[string]int{"goreleaser": build, "checksum comparison": compare, "attestation": attest, "image": image, "publish": publish} {
		if i < 0 {
			t.Errorf("no %s step", name)
		}
	}
	if !(build < compare && compare < attest && compare < image && image < publish && attest < publish) {
		t.Errorf("steps out of order: build %d, compare %d, attest %d, image %d, publish %d", build, compare, attest, image, publish)
	}
	// GoReleaser's "binary" artifacts stay in its build directories; the
	// step naming them checks each copy against checksums.txt.
	naming := index(func(i int) bool { return strings.Contains(job.Steps[i].Run, "sha256sum --strict -c ../checksums.txt") })
	if naming < 0 || naming < compare || naming > attest {
		t.Errorf("no step names the assets and checks them between the comparison (%d) and the attestation (%d): %d", compare, attest, naming)
	}
	if attest >= 0 && job.Steps[attest].With["subject-path"] != "dist/assets/zgate_*" {
		t.Errorf("attested %q, want dist/assets/zgate_*", job.Steps[attest].With["subject-path"])
	}
	var imageAttested bool
	for _, s := range job.Steps {
		if strings.HasPrefix(s.Uses, "actions/attest-build-provenance@") && s.With["subject-digest"] != "" && s.With["push-to-registry"] == "true" {
			imageAttested = true
		}
	}
	if !imageAttested {
		t.Error("the image's provenance is not attested")
	}
	if publish >= 0 {
		run := job.Steps[publish].Run
		for _, want := range []string{"dist/assets/zgate_*", "checksums.txt", "zgate.intoto.jsonl", "--verify-tag"} {
			if !strings.Contains(run, want) {
				t.Errorf("the release lacks %s", want)
			}
		}
	}
	// The Dockerfile links the same variables as .goreleaser.yaml.
	df, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"version", "revision", "commitTime"} {
		if !regexp.MustCompile(`-X github.com/zgate-dev/zgate/buildinfo\.` + v + `=`).Match(df) {
			t.Errorf("the Dockerfile does not link buildinfo.%s", v)
		}
	}
}

// TestEnvSourceRevision: release/env.sh names the same source commit before
// the release commit (on the maintainer's machine) and at the tag (in
// release.yml), so both link the same bytes.
func TestEnvSourceRevision(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_COMMITTER_DATE=2026-11-30T10:00:00+02:00", "GIT_AUTHOR_DATE=2026-11-30T10:00:00+02:00")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	env := func() string {
		t.Helper()
		script, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", script+"/env.sh")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("env.sh: %v\n%s", err, out)
		}
		return string(out)
	}
	git("init", "-q")
	if err := os.WriteFile(dir+"/main.go", []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "source")
	source := git("rev-parse", "HEAD")
	before := env()
	want := "ZGATE_SOURCE_REVISION=" + source + "\nZGATE_SOURCE_TIME=2026-11-30T08:00:00Z\nZGATE_SOURCE_EPOCH=1796025600\n"
	if before != want {
		t.Errorf("before the release commit env.sh printed\n%s\nwant\n%s", before, want)
	}
	if err := os.MkdirAll(dir+"/action", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/action/checksums.txt", []byte("abc  zgate_1.0.0_linux_amd64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "release v1.0.0")
	if after := env(); after != before {
		t.Errorf("at the release commit env.sh printed\n%s\nbefore it\n%s", after, before)
	}
}
