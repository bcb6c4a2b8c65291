package main

import (
	"context"
	"time"
)

// stayUp is the end of `zgate demo --keep`: the audit chain is verified,
// then the App, the simulator and the database stay up until ctx ends
// (Ctrl-C), with what to try meanwhile.
func (d *demo) stayUp(ctx context.Context, start time.Time, simURL, appURL, dsn string) error {
	if err := d.printAudit(ctx, dsn); err != nil {
		return err
	}
	d.say("")
	d.say("Done in %.1fs. Everything stays up until Ctrl-C:", time.Since(start).Seconds())
	d.say("  zgate App (details pages)  %s", appURL)
	d.say("  GitHub simulator           %s/api/v3/  (control API %s/_sim/, docs/simulator.md)", simURL, simURL)
	d.say("  database                   %s", dsn)
	d.say("")
	d.say("Try, in another terminal:")
	d.say("  zgate audit verify --database %s", dsn)
	d.say("  zgate audit export --database %s --since 0", dsn)
	d.say("  zgate execution list --database %s", dsn)
	d.say("  curl '%s/_sim/check-runs?owner=%s&repo=%s&sha=%s'", simURL, demoOwner, demoRepo, d.check.HeadSHA)
	<-ctx.Done()
	d.say("\nStopping; the database is removed.")
	return nil
}
