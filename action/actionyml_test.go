package action_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type actionFile struct {
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			Name string            `yaml:"name"`
			ID   string            `yaml:"id"`
			If   string            `yaml:"if"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// TestActionYAMLWiring: action.yml installs through install.sh with the
// variables it needs, compiles only when no release binary was installed,
// and runs the binary one of the two put in place.
func TestActionYAMLWiring(t *testing.T) {
	b, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	sub := regexp.MustCompile(`action/install\.sh" (\w+)`)
	required := map[string][]string{
		"release": {"ZGATE_ACTION_PATH", "ZGATE_ACTION_REPOSITORY", "ZGATE_RELEASE_API_URL", "ZGATE_BIN_DIR"},
		"build":   {"ZGATE_ACTION_PATH", "ZGATE_BIN_DIR", "ZGATE_CACHE_DIR"},
	}
	const notInstalled = "steps.release.outputs.installed != 'true'"
	seen := map[string]bool{}
	var ran bool
	for _, s := range a.Runs.Steps {
		if m := sub.FindStringSubmatch(s.Run); m != nil {
			seen[m[1]] = true
			for _, v := range required[m[1]] {
				if s.Env[v] == "" {
					t.Errorf("step %q runs install.sh %s without %s", s.Name, m[1], v)
				}
			}
			if m[1] == "release" && s.ID != "release" {
				t.Errorf("the release step's id is %q; the other steps read steps.release", s.ID)
			}
			if m[1] == "build" && (s.If != notInstalled || s.ID != "build") {
				t.Errorf("the build step (id %q) runs if %q, want id build and %q", s.ID, s.If, notInstalled)
			}
		}
		if (strings.HasPrefix(s.Uses, "actions/setup-go@") || strings.HasPrefix(s.Uses, "actions/cache@")) && s.If != notInstalled {
			t.Errorf("step %q (%s) runs even when the release binary is installed", s.Name, s.Uses)
		}
		if strings.Contains(s.Run, "go build") {
			t.Errorf("step %q compiles in action.yml; builds belong to install.sh build", s.Name)
		}
		if strings.Contains(s.Run, `"$ZGATE_BIN" action`) {
			ran = true
			if got, want := s.Env["ZGATE_BIN"], "${{ steps.release.outputs.path || steps.build.outputs.path }}"; got != want {
				t.Errorf("ZGATE_BIN = %q, want %q", got, want)
			}
		}
	}
	for _, want := range []string{"release", "build"} {
		if !seen[want] {
			t.Errorf("no step runs install.sh %s", want)
		}
	}
	if !ran {
		t.Error(`no step runs "$ZGATE_BIN" action`)
	}
}
