package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the App's collectors.
type Metrics struct {
	// Webhooks counts deliveries by event and result (accepted, ignored,
	// duplicate, unauthorized, bad_request, too_large, error).
	Webhooks *prometheus.CounterVec
	// Evaluations counts gate decisions by state.
	Evaluations *prometheus.CounterVec
	// Executions counts Z attempts by kind and result.
	Executions *prometheus.CounterVec
	// UnknownExecutions is the number of dispatches whose outcome is
	// unknown and waits for a person to confirm.
	UnknownExecutions prometheus.Gauge
	// QueueDepth is the number of re-evaluation jobs waiting.
	QueueDepth prometheus.Gauge
	// GitHubCalls counts GitHub API calls that reached the network, by
	// method, route ("/repos/{owner}/{repo}/pulls/{n}") and status code.
	GitHubCalls *prometheus.CounterVec
	// EvaluationSeconds times one re-evaluation of a pull request.
	EvaluationSeconds prometheus.Histogram
	// SLI are the pattern's service level indicators (sli.go).
	SLI *SLI
}

// New creates the collectors and registers them on reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		Webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zgate_webhooks_total",
			Help: "Webhook deliveries received, by event and result.",
		}, []string{"event", "result"}),
		Evaluations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zgate_evaluations_total",
			Help: "Gate decisions computed, by state.",
		}, []string{"state"}),
		Executions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zgate_executions_total",
			Help: "Z executions, by kind (merge, dispatch, repository_dispatch) and result.",
		}, []string{"kind", "result"}),
		UnknownExecutions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zgate_executions_unknown",
			Help: "Dispatches whose outcome is unknown and needs a person to confirm.",
		}),
		QueueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zgate_queue_depth",
			Help: "Re-evaluation jobs waiting in the queue.",
		}),
		GitHubCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zgate_github_calls_total",
			Help: "GitHub API calls that reached the network, by method, route and status code.",
		}, []string{"method", "route", "code"}),
		EvaluationSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "zgate_evaluation_seconds",
			Help:    "Time to re-evaluate one pull request, GitHub calls included.",
			Buckets: prometheus.DefBuckets,
		}),
	}
	for _, c := range []prometheus.Collector{m.Webhooks, m.Evaluations, m.Executions, m.UnknownExecutions, m.QueueDepth, m.GitHubCalls, m.EvaluationSeconds} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	sli, err := NewSLI(reg)
	if err != nil {
		return nil, err
	}
	m.SLI = sli
	return m, nil
}
