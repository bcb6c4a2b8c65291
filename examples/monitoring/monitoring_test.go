// Package monitoring_test checks the Prometheus rules and the Grafana
// dashboard of examples/monitoring against zgate's real metrics, and runs
// promtool on the rules and their unit tests.
package monitoring_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gopkg.in/yaml.v3"

	"github.com/zgate-dev/zgate/app/metrics"
)

// registered returns every metric name `zgate serve` registers (as
// cmd/zgate does: zgate's collectors, the Go and process collectors),
// from the collectors' descriptions, so vectors count before any sample.
func registered(t *testing.T) map[string]bool {
	t.Helper()
	rec := &recorder{Registerer: prometheus.NewRegistry()}
	if _, err := metrics.New(rec); err != nil {
		t.Fatal(err)
	}
	rec.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	names := map[string]bool{}
	for _, c := range rec.collectors {
		ch := make(chan *prometheus.Desc)
		go func() { c.Describe(ch); close(ch) }()
		for d := range ch {
			if m := fq.FindStringSubmatch(d.String()); m != nil {
				names[m[1]] = true
			}
		}
	}
	if len(names) < 20 {
		t.Fatalf("found %d registered metrics, want zgate's and the runtime's", len(names))
	}
	return names
}

// recorder keeps the collectors registered through it.
type recorder struct {
	prometheus.Registerer
	collectors []prometheus.Collector
}

func (r *recorder) Register(c prometheus.Collector) error {
	r.collectors = append(r.collectors, c)
	return r.Registerer.Register(c)
}

func (r *recorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

type ruleFile struct {
	Groups []struct {
		Rules []struct {
			Record string `yaml:"record"`
			Alert  string `yaml:"alert"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func readRules(t *testing.T) ruleFile {
	t.Helper()
	b, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.Unmarshal(b, &rf); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	return rf
}

// dashboardExprs returns every "expr" in the dashboard, wherever it is
// nested (panels, rows' panels).
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if e, ok := x["expr"].(string); ok {
				out = append(out, e)
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(d)
	return out
}

// TestQueriesNameRealMetrics: every expression of the rules and of the
// dashboard names at least one metric, and every metric it names is one
// zgate registers (a histogram's _bucket, _sum and _count included),
// Prometheus's own `up`, or a recording rule of alerts.yml.
func TestQueriesNameRealMetrics(t *testing.T) {
	known := registered(t)
	rf := readRules(t)
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				known[r.Record] = true
			}
		}
	}
	known["up"] = true
	type query struct{ where, expr string }
	var qs []query
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			qs = append(qs, query{"alerts.yml " + r.Alert + r.Record, r.Expr})
		}
	}
	exprs := dashboardExprs(t)
	if len(exprs) < 20 {
		t.Fatalf("dashboard.json has %d queries, want the executive, on-call and debug rows' (20 or more)", len(exprs))
	}
	for _, e := range exprs {
		qs = append(qs, query{"dashboard.json", e})
	}
	for _, q := range qs {
		names := MetricNames(q.expr)
		if len(names) == 0 {
			t.Errorf("%s: %q names no metric", q.where, q.expr)
		}
		for _, n := range names {
			if !known[n] && !known[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")] {
				t.Errorf("%s: %q names %s, which zgate does not register", q.where, q.expr, n)
			}
		}
	}
}

// TestDashboardRows: the dashboard has the pattern's three rows.
func TestDashboardRows(t *testing.T) {
	b, err := os.ReadFile("dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct{ Type, Title string }
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, p := range d.Panels {
		if p.Type == "row" {
			rows = append(rows, strings.SplitN(p.Title, ":", 2)[0])
		}
	}
	if want := []string{"Executive", "On-call", "Debug"}; !slices.Equal(rows, want) {
		t.Errorf("rows = %v, want %v", rows, want)
	}
}

var (
	quoted   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	matchers = regexp.MustCompile(`\{[^{}]*\}`)
	grouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	ranges   = regexp.MustCompile(`\[[^\[\]]*\]`)
	ident    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	keywords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true, "by": true, "without": true,
		"on": true, "ignoring": true, "group_left": true, "group_right": true, "inf": true, "nan": true, "Inf": true, "NaN": true}
)

// MetricNames returns the metric names a PromQL expression selects, sorted
// and unique: identifiers that are not functions (followed by a
// parenthesis), keywords, label names (inside braces or grouping
// clauses), strings or durations. Enough for zgate's queries, not a
// PromQL parser.
func MetricNames(expr string) []string {
	s := quoted.ReplaceAllString(expr, `""`)
	s = matchers.ReplaceAllString(s, "{}")
	s = grouping.ReplaceAllString(s, " ")
	s = ranges.ReplaceAllString(s, " ")
	seen := map[string]bool{}
	for _, loc := range ident.FindAllStringIndex(s, -1) {
		tok := s[loc[0]:loc[1]]
		if loc[0] > 0 && (s[loc[0]-1] == '$' || (s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9') || s[loc[0]-1] == '.') {
			continue // a variable ($job) or the unit of a number (5m, 1e3)
		}
		rest := strings.TrimLeft(s[loc[1]:], " \t\n")
		if strings.HasPrefix(rest, "(") || keywords[tok] {
			continue
		}
		seen[tok] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func TestMetricNames(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`up{job="zgate"} == 0 or absent(up{job="zgate"})`, []string{"up"}},
		{`sum by (repo, gate) (rate(zgate_z_done_total[1h])) / sum by (repo, gate) (rate(zgate_z_attempts_total[1h]))`, []string{"zgate_z_attempts_total", "zgate_z_done_total"}},
		{`histogram_quantile(0.95, sum by (le) (rate(zgate_approval_latency_seconds_bucket{job=~"$job"}[1d]))) > 8 * 3600`, []string{"zgate_approval_latency_seconds_bucket"}},
		{"(time() - a_ts > 3600)\nand on (job, instance) (time() - process_start_time_seconds > 1e3)", []string{"a_ts", "process_start_time_seconds"}},
		{`sum(x{l="a(b)"}) without (y) offset 5m`, []string{"x"}},
		{`zgate:gate_success:ratio_rate1h`, []string{"zgate:gate_success:ratio_rate1h"}},
		{`time()`, []string{}},
	}
	for _, tc := range tests {
		if got := MetricNames(tc.expr); !slices.Equal(got, tc.want) {
			t.Errorf("MetricNames(%q) = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func FuzzMetricNames(f *testing.F) {
	f.Add(`sum by (a) (rate(m_total{x="y"}[5m]))`)
	f.Add(`{}}}((([[`)
	f.Fuzz(func(t *testing.T, expr string) {
		for _, n := range MetricNames(expr) {
			if !ident.MatchString(n) || keywords[n] {
				t.Fatalf("MetricNames(%q) returned %q", expr, n)
			}
		}
	})
}

// TestPromtool runs `promtool check rules` and `promtool test rules`
// (Debian's prometheus package). Without promtool it skips, but fails
// when CI is set: .ci/run installs it, so CI never passes unchecked.
func TestPromtool(t *testing.T) {
	bin, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("promtool not found and CI is set: install Debian's prometheus package (.ci/run does)")
		}
		t.Skip("promtool not found (apt-get install prometheus); CI runs it")
	}
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
