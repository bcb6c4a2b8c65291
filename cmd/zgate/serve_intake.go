package main

import (
	"flag"
	"time"

	"github.com/zgate-dev/zgate/app"
)

// intakeFlags are `zgate serve`'s limits on HTTP intake and its periodic
// upkeep (redelivery of failed webhooks, pruning); docs/config.md
// documents them.
type intakeFlags struct {
	readHeaderTimeout, readTimeout, writeTimeout, idleTimeout durationValue
	maxHeaderBytes, maxConns, maxReads                        int
	redeliveryInterval, redeliveryWindow                      durationValue
	redeliveryMax, jobMaxAttempts                             int
	pruneInterval, deliveryRetention, checkRetention          durationValue
}

// intakeEnv maps each intake flag to its environment variable.
func intakeEnv() map[string]string {
	return map[string]string{
		"read-header-timeout":  "ZGATE_READ_HEADER_TIMEOUT",
		"read-timeout":         "ZGATE_READ_TIMEOUT",
		"write-timeout":        "ZGATE_WRITE_TIMEOUT",
		"idle-timeout":         "ZGATE_IDLE_TIMEOUT",
		"max-header-bytes":     "ZGATE_MAX_HEADER_BYTES",
		"max-conns":            "ZGATE_MAX_CONNS",
		"max-concurrent-reads": "ZGATE_MAX_CONCURRENT_READS",
		"redelivery-interval":  "ZGATE_REDELIVERY_INTERVAL",
		"redelivery-window":    "ZGATE_REDELIVERY_WINDOW",
		"redelivery-max":       "ZGATE_REDELIVERY_MAX",
		"prune-interval":       "ZGATE_PRUNE_INTERVAL",
		"delivery-retention":   "ZGATE_DELIVERY_RETENTION",
		"check-retention":      "ZGATE_CHECK_RETENTION",
		"job-max-attempts":     "ZGATE_JOB_MAX_ATTEMPTS",
	}
}

func (f *intakeFlags) register(fs *flag.FlagSet) {
	dur := func(v *durationValue, name string, def time.Duration, usage string) {
		*v = durationValue(def)
		fs.Var(v, name, usage)
	}
	dur(&f.readHeaderTimeout, "read-header-timeout", app.DefaultReadHeaderTimeout, "time allowed to read a request's headers")
	dur(&f.readTimeout, "read-timeout", app.DefaultReadTimeout, "time allowed to read a whole request, body included")
	dur(&f.writeTimeout, "write-timeout", app.DefaultWriteTimeout, "time allowed to handle a request and write the answer")
	dur(&f.idleTimeout, "idle-timeout", app.DefaultIdleTimeout, "how long an idle keep-alive connection is kept")
	fs.IntVar(&f.maxHeaderBytes, "max-header-bytes", app.DefaultMaxHeaderBytes, "largest request header accepted, in bytes (431 past it)")
	fs.IntVar(&f.maxConns, "max-conns", app.DefaultMaxConns, "connections served at once; more wait to be accepted")
	fs.IntVar(&f.maxReads, "max-concurrent-reads", app.DefaultMaxConcurrentReads, "webhook deliveries read and handled at once (each body up to 25 MiB); more wait 2s, then get 503 with Retry-After")
	dur(&f.redeliveryInterval, "redelivery-interval", app.DefaultRedeliveryInterval, "how often failed webhook deliveries are asked for again (also at start); 0 disables")
	dur(&f.redeliveryWindow, "redelivery-window", app.DefaultRedeliveryWindow, "how far back failed deliveries are looked for")
	fs.IntVar(&f.redeliveryMax, "redelivery-max", app.DefaultRedeliveryMax, "most deliveries asked for again per run")
	dur(&f.pruneInterval, "prune-interval", app.DefaultPruneInterval, "how often old store rows are removed; 0 disables")
	dur(&f.deliveryRetention, "delivery-retention", app.DefaultDeliveryMaxAge, "how long delivery ids are kept to drop replays; at least --redelivery-window")
	dur(&f.checkRetention, "check-retention", app.DefaultCheckRetention, "how long the fingerprint of a check run not rewritten since is kept")
	fs.IntVar(&f.jobMaxAttempts, "job-max-attempts", app.DefaultJobMaxAttempts, "failures in a row after which a re-evaluation job is dropped (the sweep enqueues open pull requests again)")
}

// apply copies the flags into o.
func (f *intakeFlags) apply(o *app.Options) {
	o.ReadHeaderTimeout = f.readHeaderTimeout.get()
	o.ReadTimeout = f.readTimeout.get()
	o.WriteTimeout = f.writeTimeout.get()
	o.IdleTimeout = f.idleTimeout.get()
	o.MaxHeaderBytes = f.maxHeaderBytes
	o.MaxConns = f.maxConns
	o.MaxConcurrentReads = f.maxReads
	o.RedeliveryInterval = f.redeliveryInterval.get()
	o.RedeliveryWindow = f.redeliveryWindow.get()
	o.RedeliveryMax = f.redeliveryMax
	o.PruneInterval = f.pruneInterval.get()
	o.DeliveryRetention = f.deliveryRetention.get()
	o.CheckRetention = f.checkRetention.get()
	o.JobMaxAttempts = f.jobMaxAttempts
}
