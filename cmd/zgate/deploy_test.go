package main

import (
	"bufio"
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/server"
	"github.com/zgate-dev/zgate/app/store"
)

const deployDir = "../../examples/deploy"

// serveFlagSet is `zgate serve`'s flag set, as runServe builds it.
func serveFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var f serveFlags
	f.register(fs)
	return fs
}

// checkServeArgs parses args as `zgate serve` does: every flag must be
// one serve has, with a value it accepts, and nothing may be left over.
func checkServeArgs(t *testing.T, where string, args []string) {
	t.Helper()
	fs := serveFlagSet()
	if err := fs.Parse(args); err != nil {
		t.Errorf("%s: zgate serve refuses its flags %q: %v", where, args, err)
		return
	}
	if fs.NArg() > 0 {
		t.Errorf("%s: zgate serve would refuse the argument %q", where, fs.Arg(0))
	}
}

// checkServeEnv checks every ZGATE_ variable is one serve reads, and that
// literal values parse.
func checkServeEnv(t *testing.T, where string, vars map[string]string) {
	t.Helper()
	known := map[string]bool{}
	for _, v := range serveEnv() {
		known[v] = true
	}
	for name := range vars {
		if strings.HasPrefix(name, "ZGATE_") && !known[name] {
			t.Errorf("%s: zgate serve does not read %s", where, name)
		}
	}
	if err := applyEnv(serveFlagSet(), func(k string) string { return vars[k] }, serveEnv()); err != nil {
		t.Errorf("%s: %v", where, err)
	}
}

// probeHandler is the App's real HTTP handler (app/server), so a probe
// path is checked against what zgate serves.
func probeHandler(t *testing.T) http.Handler {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Config{Secret: []byte("s"), AppID: 1, Intake: nopIntake{}, Audit: nopIntake{}, Metrics: m, Gatherer: reg,
		Ready: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler()
}

type nopIntake struct{}

func (nopIntake) Intake(context.Context, store.Intake) (bool, error)      { return true, nil }
func (nopIntake) WebhookRejected(context.Context, server.Rejection) error { return nil }

// k8s is the part of the manifests the test reads.
type k8s struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		Replicas     int            `yaml:"replicas"`
		MinAvailable int            `yaml:"minAvailable"`
		Selector     map[string]any `yaml:"selector"`
		Ports        []servicePort  `yaml:"ports"`
		Template     podTemplate    `yaml:"template"`
	} `yaml:"spec"`
}

type servicePort struct {
	Name       string `yaml:"name"`
	Port       int    `yaml:"port"`
	TargetPort string `yaml:"targetPort"`
}

type podTemplate struct {
	Metadata struct {
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		SecurityContext struct {
			RunAsNonRoot bool `yaml:"runAsNonRoot"`
		} `yaml:"securityContext"`
		Containers []container `yaml:"containers"`
		Volumes    []struct {
			Name   string `yaml:"name"`
			Secret *struct {
				SecretName string `yaml:"secretName"`
			} `yaml:"secret"`
		} `yaml:"volumes"`
	} `yaml:"spec"`
}

type container struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Env     []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	StartupProbe   *probe `yaml:"startupProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		ReadOnlyRootFilesystem   bool  `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
	} `yaml:"securityContext"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

func readManifests(t *testing.T) map[string]k8s {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir, "kubernetes", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s/kubernetes: %v", deployDir, err)
	}
	byKind := map[string]k8s{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m k8s
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, dup := byKind[m.Kind]; dup {
			t.Fatalf("%s: a second %s", f, m.Kind)
		}
		byKind[m.Kind] = m
	}
	return byKind
}

// TestKubernetesManifests: the Deployment runs 2 replicas of `zgate serve`
// with flags and variables serve accepts, secrets by reference, probes
// on endpoints zgate serves, on the port it listens on; the Service and
// the PodDisruptionBudget select its pods.
func TestKubernetesManifests(t *testing.T) {
	m := readManifests(t)
	for _, kind := range []string{"Deployment", "Service", "PodDisruptionBudget", "Kustomization"} {
		if _, ok := m[kind]; !ok {
			t.Fatalf("no %s manifest", kind)
		}
	}
	d := m["Deployment"]
	if d.Spec.Replicas != 2 {
		t.Errorf("replicas = %d, want 2", d.Spec.Replicas)
	}
	pod := d.Spec.Template
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	if len(c.Command) > 0 {
		t.Errorf("command %q overrides the image's entrypoint (zgate serve)", c.Command)
	}
	checkServeArgs(t, "deployment.yaml args", c.Args)
	vars := map[string]string{}
	for _, e := range c.Env {
		vars[e.Name] = e.Value
		if e.ValueFrom != nil {
			vars[e.Name] = ""
		}
	}
	checkServeEnv(t, "deployment.yaml env", vars)

	// Secrets by reference: the database URL from a Secret, every file
	// flag inside a mounted Secret.
	for _, e := range c.Env {
		secret := e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil
		if (e.Name == "ZGATE_DATABASE" || e.Name == "ZGATE_APP_ID" || strings.Contains(e.Name, "SECRET")) && !secret {
			t.Errorf("%s is not read from a Secret", e.Name)
		}
	}
	if _, ok := vars["ZGATE_DATABASE"]; !ok {
		t.Error("no ZGATE_DATABASE: two replicas need PostgreSQL")
	}
	secretMounts := map[string]bool{}
	for _, v := range pod.Spec.Volumes {
		if v.Secret != nil {
			for _, vm := range c.VolumeMounts {
				if vm.Name == v.Name {
					secretMounts[vm.MountPath] = true
				}
			}
		}
	}
	fs := serveFlagSet()
	_ = fs.Parse(c.Args)
	for _, name := range []string{"private-key", "webhook-secret-file", "audit-key-file"} {
		path := fs.Lookup(name).Value.String()
		if path == "" || !secretMounts[filepath.Dir(path)] {
			t.Errorf("--%s=%q is not in a mounted Secret (%v)", name, path, secretMounts)
		}
	}
	if fs.Lookup("webhook-secret").Value.String() != "" {
		t.Error("the webhook secret is written in the manifest")
	}

	// Probes: real endpoints, on the port zgate listens on.
	_, listenPort, err := net.SplitHostPort(fs.Lookup("listen").Value.String())
	if err != nil {
		t.Fatal(err)
	}
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	h := probeHandler(t)
	for name, tt := range map[string]struct {
		p    *probe
		want string
	}{"startup": {c.StartupProbe, "/healthz"}, "liveness": {c.LivenessProbe, "/healthz"}, "readiness": {c.ReadinessProbe, "/readyz"}} {
		if tt.p == nil {
			t.Errorf("no %s probe", name)
			continue
		}
		if tt.p.HTTPGet.Path != tt.want {
			// Liveness on /readyz would restart every replica when the
			// database is down, which a restart does not fix.
			t.Errorf("%s probe on %s, want %s", name, tt.p.HTTPGet.Path, tt.want)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.p.HTTPGet.Path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s probe: GET %s = %d from zgate, want 200", name, tt.p.HTTPGet.Path, rec.Code)
		}
		if got := ports[tt.p.HTTPGet.Port]; strconv.Itoa(got) != listenPort {
			t.Errorf("%s probe on port %q (%d), but zgate listens on %s", name, tt.p.HTTPGet.Port, got, listenPort)
		}
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("resources = %+v, want cpu and memory requests and a memory limit", c.Resources)
	}
	if !c.SecurityContext.ReadOnlyRootFilesystem || !pod.Spec.SecurityContext.RunAsNonRoot {
		t.Error("the pod must run as non-root with a read-only root file system")
	}

	// The Service and the PodDisruptionBudget select the pods.
	labels := pod.Metadata.Labels
	svc := m["Service"]
	if !selects(svc.Spec.Selector, labels) {
		t.Errorf("the Service selects %v, not the pods (%v)", svc.Spec.Selector, labels)
	}
	for _, p := range svc.Spec.Ports {
		if _, ok := ports[p.TargetPort]; !ok {
			t.Errorf("the Service targets port %q, which the container does not name", p.TargetPort)
		}
	}
	pdb := m["PodDisruptionBudget"]
	if ml, _ := pdb.Spec.Selector["matchLabels"].(map[string]any); !selects(ml, labels) {
		t.Errorf("the PodDisruptionBudget selects %v, not the pods", pdb.Spec.Selector)
	}
	if pdb.Spec.MinAvailable < 1 || pdb.Spec.MinAvailable >= d.Spec.Replicas {
		t.Errorf("minAvailable = %d with %d replicas: drains would block or take every replica", pdb.Spec.MinAvailable, d.Spec.Replicas)
	}
}

func selects(selector map[string]any, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if s, _ := v.(string); labels[k] != s {
			return false
		}
	}
	return true
}

// TestSystemdUnit: ExecStart runs `zgate serve` with flags it accepts,
// and every variable the unit and its example env file set is one serve
// reads.
func TestSystemdUnit(t *testing.T) {
	unit := parseUnit(t, filepath.Join(deployDir, "systemd", "zgate.service"))
	exec := unit["ExecStart"]
	if len(exec) != 1 {
		t.Fatalf("%d ExecStart lines, want 1", len(exec))
	}
	argv := strings.Fields(exec[0])
	if len(argv) < 2 || filepath.Base(argv[0]) != "zgate" || argv[1] != "serve" {
		t.Fatalf("ExecStart = %q, want zgate serve ...", exec[0])
	}
	checkServeArgs(t, "zgate.service ExecStart", argv[2:])
	vars := map[string]string{}
	for _, e := range unit["Environment"] {
		for _, kv := range strings.Fields(e) {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
		}
	}
	checkServeEnv(t, "zgate.service Environment", vars)
	if files := unit["EnvironmentFile"]; len(files) != 1 || filepath.Base(files[0]) != "zgate.env" {
		t.Errorf("EnvironmentFile = %q, want the one example (zgate.env)", files)
	}
	envFile := map[string]string{}
	for _, line := range configLines(t, filepath.Join(deployDir, "systemd", "zgate.env")) {
		if k, v, ok := strings.Cut(line, "="); ok {
			envFile[k] = v
		}
	}
	if len(envFile) == 0 {
		t.Error("zgate.env sets nothing")
	}
	checkServeEnv(t, "zgate.env", envFile)
	// The secrets are credentials, not files the service user could list.
	creds := map[string]bool{}
	for _, c := range unit["LoadCredential"] {
		name, _, _ := strings.Cut(c, ":")
		creds["${CREDENTIALS_DIRECTORY}/"+name] = true
	}
	fs := serveFlagSet()
	_ = fs.Parse(argv[2:])
	for _, name := range []string{"private-key", "webhook-secret-file", "audit-key-file"} {
		if p := fs.Lookup(name).Value.String(); !creds[p] {
			t.Errorf("--%s=%q is not a LoadCredential", name, p)
		}
	}
}

// parseUnit reads a systemd unit: key -> values, continuation lines joined.
func parseUnit(t *testing.T, path string) map[string][]string {
	t.Helper()
	u := map[string][]string{}
	var cont string
	for _, line := range configLines(t, path) {
		if strings.HasPrefix(line, "[") {
			continue
		}
		line = cont + line
		if rest, ok := strings.CutSuffix(line, `\`); ok {
			cont = rest + " "
			continue
		}
		cont = ""
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: not key=value: %q", path, line)
		}
		u[k] = append(u[k], v)
	}
	return u
}

// configLines returns the file's lines without comments and blank lines.
func configLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestDockerfile: the final stage is distroless static, runs as a
// numeric non-root user and starts `zgate serve`.
func TestDockerfile(t *testing.T) {
	lines := configLines(t, "../../Dockerfile")
	var from, user, entry string
	stages := 0
	for _, l := range lines {
		switch f := strings.Fields(l); strings.ToUpper(f[0]) {
		case "FROM":
			stages++
			from, user, entry = l, "", ""
		case "USER":
			user = f[1]
		case "ENTRYPOINT":
			entry = strings.TrimSpace(strings.TrimPrefix(l, f[0]))
		}
	}
	if stages < 2 {
		t.Errorf("%d stages, want a build stage and a final one", stages)
	}
	if !strings.Contains(from, "gcr.io/distroless/static") {
		t.Errorf("final stage %q, want distroless static", from)
	}
	if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" || strings.Trim(uid, "0123456789") != "" {
		t.Errorf("USER %q, want a numeric non-root uid (runAsNonRoot checks it)", user)
	}
	if !slices.Contains([]string{`["/usr/local/bin/zgate", "serve"]`, `["/zgate", "serve"]`}, entry) {
		t.Errorf("ENTRYPOINT %s, want zgate serve", entry)
	}
}
