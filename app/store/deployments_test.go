package store_test

import (
	"os"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

func TestDeployments(t *testing.T) {
	stores := map[string]func(t *testing.T) *store.Store{
		"sqlite": func(t *testing.T) *store.Store { return openSQLite(t, "sqlite::memory:") },
	}
	if os.Getenv("ZGATE_TEST_POSTGRES") != "" {
		stores["postgres"] = func(t *testing.T) *store.Store { return openPostgres(t) }
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) { testDeployments(t, open(t)) })
	}
}

func testDeployments(t *testing.T, s *store.Store) {
	ctx := t.Context()
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	// Run ids pass 2^31 on github.com.
	d := store.Deployment{Installation: 7, Owner: "acme", Repo: "app", RunID: 9_876_543_210, Environment: "production",
		DeploymentID: 5_000_000_001, SHA: "d0d0d0d", Ref: "main", Deployer: "dan", Requested: at, Received: at.Add(time.Second)}
	for i, want := range []bool{true, false} {
		created, err := s.RecordDeployment(ctx, d)
		if err != nil || created != want {
			t.Fatalf("RecordDeployment #%d = %v, %v; want %v", i+1, created, err, want)
		}
	}
	other := d
	other.Environment, other.Requested = "staging", at.Add(time.Minute)
	if _, err := s.RecordDeployment(ctx, other); err != nil {
		t.Fatal(err)
	}
	got, err := s.PendingDeployments(ctx, "acme", "app")
	if err != nil || len(got) != 2 || got[0] != d || got[1].Environment != "staging" {
		t.Fatalf("PendingDeployments = %+v, %v; want production then staging", got, err)
	}
	if all, err := s.PendingDeployments(ctx, "", ""); err != nil || len(all) != 2 {
		t.Fatalf("PendingDeployments of all = %d, %v; want 2", len(all), err)
	}
	if err := s.DeploymentAnswered(ctx, d, "approved", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PendingDeployments(ctx, "acme", "app"); len(got) != 1 || got[0].Environment != "staging" {
		t.Errorf("after answering production, pending = %+v; want staging only", got)
	}
	key := store.PRKey{Installation: 7, Owner: "acme", Repo: "app", Number: 1 << 30}
	if _, err := s.FindExecution(ctx, key, "deployment:production:1", "d0d0d0d"); err == nil {
		t.Error("FindExecution found an execution never begun")
	}
	x, _, err := s.BeginExecution(ctx, store.Execution{Key: key, Gate: "deployment:production:1", HeadSHA: "d0d0d0d", Kind: "deployment_protection_rule"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindExecution(ctx, key, "deployment:production:1", "d0d0d0d"); err != nil || got.ID != x.ID {
		t.Errorf("FindExecution = %+v, %v; want %s", got, err, x.ID)
	}
}
