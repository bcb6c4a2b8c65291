package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/deploy"
	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/queue"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/server"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/tracing"
	"github.com/zgate-dev/zgate/buildinfo"
)

// Run serves the App until ctx ends, then shuts down gracefully: the HTTP
// server stops taking webhooks, in-flight jobs finish (a claimed job whose
// worker dies is re-claimed after its lease), the store closes. An error
// wrapping [ErrConfig] means the options are unusable.
func Run(ctx context.Context, o Options) error {
	if err := o.Check(); err != nil {
		return err
	}
	log := o.Logger
	m, err := metrics.New(o.Registerer)
	if err != nil {
		return err
	}
	build := buildinfo.Read()
	if err := metrics.RegisterBuildInfo(o.Registerer, build.Version, build.Revision, build.GoVersion); err != nil {
		return err
	}
	apps, err := ghclient.New(ghclient.Config{
		BaseURL: o.GitHubURL, AppID: o.AppID, PrivateKey: o.PrivateKey, Transport: o.Transport, Logger: log,
		CacheBytes: int64(o.GitHubCacheMB) << 20, CacheEntries: min(o.GitHubCacheMB, 0),
		// Each worker has up to facts.MaxConcurrentLists requests in flight.
		IdleConnsPerHost: o.Workers * (facts.MaxConcurrentLists + 1),
		OnCall: func(c ghclient.Call) {
			m.GitHubCalls.WithLabelValues(c.Method, c.Route, fmt.Sprint(c.Status)).Inc()
		},
		TracerProvider: o.TracerProvider, OnRateLimit: m.SLI.ObserveRateLimit,
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	attest, err := facts.LoadAttestSource(o.TrustedRoot)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	st, err := store.Open(ctx, o.Database)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	// The sweep at start rebuilds what a power cut can take from a lazy
	// commit; without a sweep every commit is durable.
	st.CommitLazily(o.SweepInterval > 0)
	unclean, err := st.StartServing(ctx)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	if unclean {
		log.Warn("the last zgate serve on this database did not stop cleanly (a crash or a power cut): every check run's state is read from GitHub again before it is trusted")
	}
	// Once nothing writes any more (the workers stopped): a clean stop.
	stopServing := func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := st.StopServing(sctx); err != nil {
			log.Warn("cannot record the clean stop; the next start re-reads every check run", "err", err)
		}
	}
	if err := registerStore(o.Registerer, st); err != nil {
		return err
	}

	members := facts.NewMembershipCache(o.MembershipTTL, o.Now)
	// What deliveries carry, for the evaluations they ask for (server to
	// engine, this process only).
	hints := facts.NewHints(0)
	gatherer := &facts.Gatherer{Attestations: attest, Members: members, Pulls: facts.NewPullCache(0), Lists: facts.NewListMemo(0), Hints: hints, Pushes: facts.StorePushes{Store: st}, Logger: log, Now: o.Now,
		Configs: facts.NewConfigCache(facts.DefaultConfigCacheBytes)}
	auditLog := audit.NewKeyed(st, o.Now, o.AuditKey)
	if err := startAudit(ctx, auditLog, o); err != nil {
		return err
	}
	if o.BotLogin == "" {
		o.BotLogin = botLogin(ctx, apps, log)
	}
	var eng *engine.Engine
	var dep *deploy.Engine
	q := queue.NewStaging(st, func(ctx context.Context, k store.PRKey, fin *store.Finish) (time.Time, error) {
		if deploy.IsKey(k) {
			return dep.Reevaluate(ctx, k)
		}
		return eng.ReevaluateStaged(ctx, k, fin)
	}, queue.Options{Workers: o.Workers, Poll: o.QueuePoll, Lease: o.JobLease, Now: o.Now, Logger: log})
	eng, err = engine.New(staging(st, log, engine.Config{
		Clients:   apps,
		Gatherer:  gatherer,
		Publisher: &report.Publisher{Store: st, Logger: log},
		Executor:  newExecutor(st, auditLog, o),
		Store:     st,
		Queue:     q,
		Audit:     auditLog,
		Metrics:   m,
		Logger:    log,
		Now:       o.Now,
		BotLogin:  o.BotLogin,
		// Check runs link to the details page when zgate has a public URL.
		DetailsURL: o.Web.detailsURL(),
		// Statuses are re-read after a status webhook the server noted,
		// and at each sweep, which covers a lost webhook.
		StatusNotices:  st,
		StatusRecheck:  o.SweepInterval / 2,
		PolicyChanges:  gatherer,
		Pending:        st,
		TracerProvider: o.TracerProvider,
		Asks:           st,
		Decisions:      o.Decisions,
	}))
	if err != nil {
		return err
	}
	if dep, err = newDeployments(apps, gatherer, st, auditLog, q, m, o); err != nil {
		return err
	}
	srv, err := server.New(server.Config{
		Secret:   o.WebhookSecret,
		AppID:    o.AppID,
		BotLogin: o.BotLogin,
		Intake:   q,
		Hints:    hints,
		Audit:    rejectionAuditor{auditLog},
		Metrics:  m,
		Gatherer: o.Gatherer,
		Ready:    st.Ping,
		Invalidate: func(org, team string) {
			if team == "" {
				members.InvalidateOrg(org)
				return
			}
			members.Invalidate(org, team)
		},
		Uninstalled:        apps.Forget,
		Logger:             log,
		Now:                o.Now,
		MaxConcurrentReads: o.MaxConcurrentReads,

		StatusNotes: st,

		// Accepted too while the webhook secret is rotated.
		PreviousSecret: o.WebhookSecretPrevious,
		Build:          build,
	})
	if err != nil {
		return err
	}

	handler, err := withWeb(o, apps, gatherer, st, tracing.Handler(srv.Handler(), o.TracerProvider, "/webhook"))
	if err != nil {
		return err
	}

	ln := o.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", o.Listen); err != nil {
			return fmt.Errorf("listen on %s: %w", o.Listen, err)
		}
	}
	if err := eng.Recover(ctx); err != nil {
		log.Warn("crash recovery incomplete; the sweep will retry", "err", err)
	}
	if err := dep.Recover(ctx); err != nil {
		log.Warn("pending deployments not re-queued", "err", err)
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := q.Run(runCtx); err != nil && runCtx.Err() == nil {
			log.Error("queue stopped", "err", err)
		}
	})
	wg.Go(func() { eng.RunSweeper(runCtx, o.SweepInterval) })
	wg.Go(func() { dep.RunSweeper(runCtx, o.SweepInterval) })
	wg.Go(func() { watchQueue(runCtx, st, m) })
	startObserve(runCtx, &wg, o, st, m)
	cp := &checkpointer{log: auditLog, file: o.AuditCheckpointFile, every: o.AuditCheckpointInterval, l: log}
	wg.Go(func() { cp.run(runCtx) })
	startUpkeep(runCtx, &wg, o, apps, st)
	if _, err := startPprof(runCtx, &wg, o); err != nil {
		stop()
		wg.Wait()
		return err
	}

	hs := newHTTPServer(o, handler)
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(limitListener(o, ln)) }()
	log.Info("zgate serving", "addr", ln.Addr().String(), "github", o.GitHubURL, "app_id", o.AppID, "database", redactDSN(o.Database))
	if o.OnListen != nil {
		o.OnListen(ln.Addr())
	}

	select {
	case <-ctx.Done():
	case err = <-serveErr:
		stop()
		wg.Wait()
		cp.final(ctx)
		stopServing()
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.ShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("HTTP shutdown", "err", err)
	}
	stop()
	wg.Wait()
	cp.final(ctx)
	stopServing()
	return nil
}

// botLogin asks GitHub for the App's slug, whose bot ("slug[bot]") sends
// the App's own events. Best effort: without it, only check runs and
// suites are recognised as the App's own, by app id.
func botLogin(ctx context.Context, apps *ghclient.Apps, log *slog.Logger) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	gh, err := apps.App()
	if err == nil {
		var a *github.App
		if a, _, err = gh.Apps.Get(ctx, ""); err == nil && a.GetSlug() != "" {
			return a.GetSlug() + "[bot]"
		}
	}
	log.Warn("cannot learn the App's bot login; set --bot-login", "err", err)
	return ""
}

// startAudit prepares the audit log: a keyed log refuses to go on without
// its key, and a new key is recorded in the log.
func startAudit(ctx context.Context, l *audit.Log, o Options) error {
	rec, err := l.Start(ctx)
	if errors.Is(err, audit.ErrKeyRequired) {
		return fmt.Errorf("%w: %w; give it with --audit-key-file", ErrConfig, err)
	}
	if err != nil {
		return err
	}
	switch {
	case o.AuditKey == nil:
		o.Logger.Warn("the audit log is not keyed: whoever can write the database can rewrite it unnoticed; set --audit-key-file")
	case rec != nil:
		o.Logger.Warn("audit records are keyed from here on; keep this key to verify them", "key_id", o.AuditKey.ID(), "seq", rec.Seq)
	default:
		o.Logger.Info("audit log keyed", "key_id", o.AuditKey.ID())
	}
	return nil
}

// rejectionAuditor writes rejected webhooks to the audit log.
type rejectionAuditor struct{ log *audit.Log }

func (a rejectionAuditor) WebhookRejected(ctx context.Context, r server.Rejection) error {
	_, err := a.log.Append(ctx, audit.Entry{Kind: audit.KindWebhookRejected, Data: r})
	return err
}

// watchQueue keeps the queue depth gauge current.
func watchQueue(ctx context.Context, st *store.Store, m *metrics.Metrics) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if n, err := st.PendingJobs(ctx); err == nil {
			m.QueueDepth.Set(float64(n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
