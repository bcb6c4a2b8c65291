package app

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
)

// registerStore exposes the store's committed write transactions as
// zgate_store_commits_total: per event it is the store's main cost (on
// SQLite each one waits for the single writer and an fsync), and the
// number to watch when the store path changes (docs/performance.md).
func registerStore(reg prometheus.Registerer, st *store.Store) error {
	c := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "zgate_store_commits_total",
		Help: "Write transactions the store committed.",
	}, func() float64 { return float64(st.Commits()) })
	if err := reg.Register(c); err != nil {
		return fmt.Errorf("register store metrics: %w", err)
	}
	return nil
}

// staging lets the engine stage the writes of a queued evaluation
// (fingerprints, audit records of decisions) for the queue to commit with
// the job's settlement, and flush them before a Z.
func staging(st *store.Store, log *slog.Logger, cfg engine.Config) engine.Config {
	cfg.StagedPublisher = func(fs report.FingerprintStore) engine.Publisher {
		return &report.Publisher{Store: fs, Logger: log}
	}
	cfg.Stager = st
	return cfg
}
