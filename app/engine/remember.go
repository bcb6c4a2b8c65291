package engine

import (
	"strings"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
)

// forget drops what the engine cached about a closed pull request.
func (e *Engine) forget(key store.PRKey) {
	prefix := doneKey(key, "", "")
	prefix = prefix[:strings.LastIndex(prefix, "/")+1]
	e.mu.Lock()
	defer e.mu.Unlock()
	for k := range e.execs {
		if strings.HasPrefix(k, prefix) {
			delete(e.execs, k)
		}
	}
}

// remember keeps the policy that loaded for the repository and base.
func (e *Engine) remember(key store.PRKey, res *facts.Result) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastGood[key.Owner+"/"+key.Repo+"@"+res.BaseRef] = res.Policy
}
