package e2e

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/tracing/tracingtest"
)

// TestObservability (issue 10, §4): the real binary with
// OTEL_EXPORTER_OTLP_ENDPOINT set, driven through the simulator from
// webhook to merge: /metrics shows the pattern's SLIs for the Z (done,
// latency, control domains, rate limit, last success), the OTLP receiver
// gets a trace per delivery and per re-evaluation with GitHub calls as
// children, and the trace ids are in the log lines and the audit records.
func TestObservability(t *testing.T) {
	rcv := tracingtest.New(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", rcv.URL)
	w := newWorld(t)
	p := w.serve()
	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0) // the first pending evaluation, from which latency counts
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitMerged(n)
	w.waitAudit("execution", 2)

	page := p.metrics(t)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^zgate_z_attempts_total\{gate="production",repo="acme/payments"\} 1$`),
		regexp.MustCompile(`(?m)^zgate_z_done_total\{gate="production",repo="acme/payments"\} 1$`),
		regexp.MustCompile(`(?m)^zgate_approval_latency_seconds_count\{gate="production",repo="acme/payments"\} 1$`),
		regexp.MustCompile(`(?m)^zgate_control_approval_seconds_count\{gate="production",kind="team",repo="acme/payments"\} 2$`),
		regexp.MustCompile(`(?m)^zgate_z_control_domains_sum\{gate="production",repo="acme/payments"\} 2$`),
		regexp.MustCompile(`(?m)^zgate_github_rate_limit_remaining\{installation="\d+"\} \d+$`),
		regexp.MustCompile(`(?m)^zgate_audit_verify_ok 1$`),
	} {
		if !want.MatchString(page) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	m := regexp.MustCompile(`(?m)^zgate_last_successful_evaluation_timestamp_seconds (\S+)$`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("/metrics lacks zgate_last_successful_evaluation_timestamp_seconds")
	}
	if ts, _ := strconv.ParseFloat(m[1], 64); time.Since(time.Unix(int64(ts), 0)) > time.Minute {
		t.Errorf("last successful evaluation at %v, want within the last minute", m[1])
	}

	p.stop() // flushes the spans still buffered
	spans := rcv.Spans()
	roots := map[string]string{} // trace id -> root span name
	byID := map[string]tracingtest.Span{}
	for _, s := range spans {
		byID[s.SpanID] = s
		if s.ParentID == "" {
			roots[s.TraceID] = s.Name
		}
	}
	count := map[string]int{}
	for _, name := range roots {
		count[name]++
	}
	if count["webhook delivery"] == 0 || count["reevaluate"] == 0 {
		t.Fatalf("root spans = %v; want webhook deliveries and re-evaluations", count)
	}
	merged := false
	for _, s := range spans {
		if strings.HasPrefix(s.Name, "GitHub PUT") && strings.HasSuffix(s.Name, "/merge") {
			merged = byID[s.ParentID].Name == "z" && roots[s.TraceID] == "reevaluate"
		}
	}
	if !merged {
		t.Errorf("no GitHub merge call span under a z span of a re-evaluation trace")
	}

	// Log lines of traced work carry a trace id the receiver got.
	p.mu.Lock()
	logs := append([]string(nil), p.logs...)
	p.mu.Unlock()
	traced := map[string]int{}
	for _, l := range logs {
		var rec struct {
			Msg      string `json:"msg"`
			TraceID  string `json:"trace_id"`
			Delivery string `json:"delivery"`
			PR       int    `json:"pr"`
		}
		if json.Unmarshal([]byte(l), &rec) != nil || rec.TraceID == "" {
			continue
		}
		if _, ok := roots[rec.TraceID]; !ok {
			t.Errorf("log line %q names trace %s, which was not exported", rec.Msg, rec.TraceID)
		}
		traced[roots[rec.TraceID]]++
	}
	if traced["webhook delivery"] == 0 || traced["reevaluate"] == 0 {
		t.Errorf("traced log lines by root = %v; want lines of deliveries and of re-evaluations", traced)
	}

	// Audit records of the Z carry the trace of the evaluation that ran it.
	for _, r := range w.auditRecords() {
		var d struct {
			TraceID  string `json:"trace_id"`
			Decision struct {
				TraceID string `json:"trace_id"`
			} `json:"decision"`
		}
		if json.Unmarshal(r.Data, &d) != nil {
			continue
		}
		id := d.TraceID
		if r.Kind == "execution" {
			id = d.Decision.TraceID
		}
		if r.Kind == "decision" || r.Kind == "execution" {
			if roots[id] != "reevaluate" {
				t.Errorf("audit record %d (%s) trace id %q is not a re-evaluation's", r.Seq, r.Kind, id)
			}
		}
	}
}
