package app

import (
	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/deploy"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/store"
)

// newDeployments builds the engine that answers GitHub's deployment
// protection rule requests (docs/deployments.md); the queue runs it for
// deployments keys.
func newDeployments(apps *ghclient.Apps, g *facts.Gatherer, st *store.Store, l *audit.Log, q deploy.Enqueuer, m *metrics.Metrics, o Options) (*deploy.Engine, error) {
	return deploy.New(deploy.Config{Clients: apps, Gatherer: g, Store: st, Audit: l, Queue: q, Executions: m.Executions,
		Logger: o.Logger.With("part", "deployments"), Now: o.Now})
}
