package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/tracing"
	"github.com/zgate-dev/zgate/app/tracing/tracingtest"
)

// TestTraceReevaluation: with an OTLP endpoint, each re-evaluation is one
// trace exported over OTLP/HTTP: a root span with the repository, pull
// request and head SHA, spans gather (each GitHub call a child), evaluate,
// publish and z with the gate; the trace id is in every log line of the
// evaluation and in its audit records, Z's included.
func TestTraceReevaluation(t *testing.T) {
	rcv := tracingtest.New(t)
	p, err := tracing.New(tracing.Config{Endpoint: rcv.URL, Service: "zgate-test"})
	if err != nil {
		t.Fatal(err)
	}
	r := newRigWith(t, gatedFiles(t), func(c *ghclient.Config) { c.TracerProvider = p })
	r.eng.tracer = tracing.Tracer(p)
	var logs bytes.Buffer
	r.eng.log = slog.New(tracing.LogHandler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	k, head := r.openPR("scale")
	for _, u := range []string{"carol", "dave"} {
		if _, err := r.sim.SubmitReview("acme", "payments", k.Number, u, "APPROVE", ""); err != nil {
			t.Fatal(err)
		}
	}
	r.reevaluate(k) // decides success and merges
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatalf("flush spans: %v", err)
	}

	spans := rcv.Spans()
	var root *tracingtest.Span
	for i, s := range spans {
		if s.Name == "reevaluate" {
			if root != nil {
				t.Fatalf("two reevaluate spans for one evaluation")
			}
			root = &spans[i]
		}
	}
	if root == nil {
		t.Fatalf("no reevaluate span among %d spans", len(spans))
	}
	if root.ParentID != "" || root.Attrs["zgate.repo"] != "acme/payments" || root.Attrs["zgate.pr"] != "1" || root.Attrs["zgate.head_sha"] != head {
		t.Errorf("root span = %+v; want a root with zgate.repo acme/payments, zgate.pr 1, zgate.head_sha %s", *root, head)
	}
	if root.Attrs["resource.service.name"] != "zgate-test" {
		t.Errorf("service.name = %q, want zgate-test", root.Attrs["resource.service.name"])
	}
	byID := map[string]tracingtest.Span{}
	names := map[string]int{}
	for _, s := range spans {
		if s.TraceID != root.TraceID {
			t.Errorf("span %q in trace %s, want every span in the evaluation's trace %s", s.Name, s.TraceID, root.TraceID)
		}
		byID[s.SpanID] = s
		names[s.Name]++
	}
	for _, want := range []string{"gather", "evaluate", "publish", "z"} {
		if names[want] == 0 {
			t.Errorf("no %q span; got %v", want, names)
		}
	}
	githubUnderGather, githubUnderZ := 0, 0
	for _, s := range spans {
		switch s.Name {
		case "publish", "z":
			if s.Attrs["zgate.gate"] != "production" {
				t.Errorf("%s span gate = %q, want production", s.Name, s.Attrs["zgate.gate"])
			}
		}
		if len(s.Name) > 7 && s.Name[:7] == "GitHub " {
			switch byID[s.ParentID].Name {
			case "gather":
				githubUnderGather++
			case "z":
				githubUnderZ++
			}
			if s.Attrs["http.response.status_code"] == "" || s.Attrs["url.template"] == "" {
				t.Errorf("GitHub span %q lacks status or route: %v", s.Name, s.Attrs)
			}
		}
	}
	if githubUnderGather == 0 || githubUnderZ == 0 {
		t.Errorf("GitHub call spans under gather, under z = %d, %d; want some under each", githubUnderGather, githubUnderZ)
	}

	// Every log line of the evaluation carries its trace id.
	sc := bufio.NewScanner(&logs)
	lines := 0
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		lines++
		if l["trace_id"] != root.TraceID {
			t.Errorf("log line %q has trace_id %v, want %s", l["msg"], l["trace_id"], root.TraceID)
		}
	}
	if lines == 0 {
		t.Errorf("no log line from the evaluation")
	}

	// And so does every audit record it wrote.
	recs, err := r.st.AuditRecords(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	kinds := 0
	for _, rec := range recs {
		var d struct {
			TraceID  string `json:"trace_id"`
			Decision struct {
				TraceID string `json:"trace_id"`
			} `json:"decision"`
		}
		if err := json.Unmarshal(rec.Data, &d); err != nil {
			t.Fatal(err)
		}
		got := d.TraceID
		if rec.Kind == audit.KindExecution {
			got = d.Decision.TraceID
			if d.TraceID != "" && d.TraceID != root.TraceID {
				t.Errorf("execution record %d trace_id %q, want %s", rec.Seq, d.TraceID, root.TraceID)
			}
		}
		if got != root.TraceID {
			t.Errorf("audit record %d (%s) trace id %q, want %s", rec.Seq, rec.Kind, got, root.TraceID)
		}
		kinds++
	}
	if kinds < 3 {
		t.Errorf("%d audit records, want the decision, the Z's intent and its outcome", kinds)
	}
	if _, err := audit.Verify(context.Background(), r.st); err != nil {
		t.Errorf("audit chain with trace ids does not verify: %v", err)
	}
}
