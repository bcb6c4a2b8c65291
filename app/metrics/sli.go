package metrics

import (
	"fmt"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// SLI are the collectors of the Multi-controlled Z pattern's service level
// indicators, one per indicator (docs/config.md, "Observability"). Labels
// are repo ("owner/name") and gate at most: never a pull request or a
// person, so the series stay few.
type SLI struct {
	// ZAttempts and ZDone give the gate success rate: Z done / Z attempted.
	ZAttempts *prometheus.CounterVec
	ZDone     *prometheus.CounterVec
	// ZErrors counts Zs that did not end done, by kind: refused (GitHub
	// said no), unknown (outcome unknown, a partial apply), error (the
	// call or its recording failed), regather (the fresh read before Z
	// failed).
	ZErrors *prometheus.CounterVec
	// ApprovalLatency is first pending evaluation of a head -> quorum.
	ApprovalLatency *prometheus.HistogramVec
	// ControlApproval is first pending evaluation of a head -> the counted
	// approval or attestation of each control, by control kind.
	ControlApproval *prometheus.HistogramVec
	// ApprovalFailures counts reviews, attestations and overrides that did
	// not count, by reason, each once (per gate and head).
	ApprovalFailures *prometheus.CounterVec
	// ControlDomains is the number of distinct control domains (teams and
	// attestation issuers) that held at each Z.
	ControlDomains *prometheus.HistogramVec
	// Overrides counts overrides that opened a gate.
	Overrides *prometheus.CounterVec
	// LastSuccess is the Unix time of the last evaluation that completed.
	LastSuccess prometheus.Gauge
	// OldestDueJob is how long the job waiting longest has been due.
	OldestDueJob prometheus.Gauge
	// RateLimitRemaining is GitHub's X-RateLimit-Remaining, per installation.
	RateLimitRemaining *prometheus.GaugeVec
	// AuditIncomplete is the number of Zs without their full record chain
	// (intent and current outcome) in the audit log: 0 when healthy.
	AuditIncomplete prometheus.Gauge
	// AuditVerifyOK is 1 when the last audit chain verification passed.
	AuditVerifyOK prometheus.Gauge
	// AuditVerified is the Unix time of the last audit verification run.
	AuditVerified prometheus.Gauge
}

// latencyBuckets span a minute to a week: people approve in minutes to days.
var latencyBuckets = []float64{60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600}

// NewSLI creates the SLI collectors and registers them on reg.
func NewSLI(reg prometheus.Registerer) (*SLI, error) {
	rg := []string{"repo", "gate"}
	s := &SLI{
		ZAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zgate_z_attempts_total",
			Help: "Z runs attempted (merge or dispatch called), by repository and gate.",
		}, rg),
		ZDone: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zgate_z_done_total",
			Help: "Z runs that ended done, by repository and gate.",
		}, rg),
		ZErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zgate_z_errors_total",
			Help: "Z runs that did not end done, by repository, gate and kind (refused, unknown, error, regather).",
		}, []string{"repo", "gate", "kind"}),
		ApprovalLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "zgate_approval_latency_seconds",
			Help:    "Time from the first pending evaluation of a head to its quorum, by repository and gate.",
			Buckets: latencyBuckets,
		}, rg),
		ControlApproval: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "zgate_control_approval_seconds",
			Help:    "Time from the first pending evaluation of a head to each counted control at quorum, by repository, gate and control kind (team, attestation).",
			Buckets: latencyBuckets,
		}, []string{"repo", "gate", "kind"}),
		ApprovalFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zgate_approval_failures_total",
			Help: "Approvals, attestations and overrides not counted, by repository, gate and reason (each once per head).",
		}, []string{"repo", "gate", "reason"}),
		ControlDomains: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "zgate_z_control_domains",
			Help:    "Distinct control domains (teams, attestation issuers) that held at each Z, by repository and gate.",
			Buckets: []float64{0, 1, 2, 3, 4, 5},
		}, rg),
		Overrides: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zgate_overrides_total",
			Help: "Break-glass overrides that opened a gate, by repository and gate.",
		}, rg),
		LastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zgate_last_successful_evaluation_timestamp_seconds",
			Help: "Unix time of the last pull request evaluation that completed.",
		}),
		OldestDueJob: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zgate_queue_oldest_due_seconds",
			Help: "How long the re-evaluation job waiting longest has been due; 0 when none is.",
		}),
		RateLimitRemaining: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "zgate_github_rate_limit_remaining",
			Help: "GitHub's X-RateLimit-Remaining on the last answer, per installation.",
		}, []string{"installation"}),
		AuditIncomplete: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zgate_audit_z_incomplete",
			Help: "Z executions whose intent or current outcome has no audit record; 0 when the log is complete.",
		}),
		AuditVerifyOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zgate_audit_verify_ok",
			Help: "1 when the last verification of the audit hash chain passed, 0 when it failed.",
		}),
		AuditVerified: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zgate_audit_verify_timestamp_seconds",
			Help: "Unix time of the last audit chain verification.",
		}),
	}
	// Healthy until a verification says otherwise: a fresh process has
	// not walked the chain yet, and the timestamp (0) tells that apart.
	s.AuditVerifyOK.Set(1)
	for _, c := range []prometheus.Collector{s.ZAttempts, s.ZDone, s.ZErrors, s.ApprovalLatency, s.ControlApproval,
		s.ApprovalFailures, s.ControlDomains, s.Overrides, s.LastSuccess, s.OldestDueJob, s.RateLimitRemaining,
		s.AuditIncomplete, s.AuditVerifyOK, s.AuditVerified} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register SLI metrics: %w", err)
		}
	}
	return s, nil
}

// ObserveRateLimit sets the rate limit remaining of an installation
// (ghclient.Config.OnRateLimit).
func (s *SLI) ObserveRateLimit(installation int64, remaining int) {
	s.RateLimitRemaining.WithLabelValues(strconv.FormatInt(installation, 10)).Set(float64(remaining))
}
