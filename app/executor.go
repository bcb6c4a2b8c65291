package app

import (
	"github.com/zgate-dev/zgate/app/act"
	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/store"
)

// newExecutor builds the Z executor, which writes each execution's audit
// records in the same transactions as its state.
func newExecutor(st *store.Store, l *audit.Log, o Options) engine.Executor {
	return &act.Executor{Store: st, Audit: l, Logger: o.Logger, Now: o.Now}
}
