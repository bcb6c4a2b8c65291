package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/store"
)

// TestReevaluateExpandsInstallationKey: an installation-level job (a
// membership change) becomes one repository-level job per repository of
// the installation, and none of them is the installation key's "*".
func TestReevaluateExpandsInstallationKey(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	if err := r.sim.CreateRepo("acme", "ledger", gatedFiles(t)); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(InstallationKey(r.inst, "acme"))
	want := []store.PRKey{RepoKey(r.inst, "acme", "ledger"), RepoKey(r.inst, "acme", "payments")}
	if diff := cmp.Diff(want, r.queue.keys); diff != "" {
		t.Errorf("enqueued (-want +got):\n%s", diff)
	}
	if got := r.eng.knownRepos(r.inst); len(got) != 0 {
		t.Errorf("known repositories = %v, want none (the installation key is no repository)", got)
	}
}
