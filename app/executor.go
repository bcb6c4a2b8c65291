package app

import (
	"github.com/zgate-dev/zgate/app/act"
	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/store"
)

// newExecutor builds the Z executor.
func newExecutor(st *store.Store, o Options) engine.Executor {
	return &act.Executor{Store: st, Logger: o.Logger, Now: o.Now}
}
