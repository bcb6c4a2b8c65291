package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
)

// runAudit is `zgate audit verify|export [--database DSN]`. verify walks
// the hash chain: exit 0 "audit log OK: N records", 1 "audit log BROKEN at
// seq N: reason", 2 bad arguments or an unreachable database. export
// prints the records as JSON lines.
func runAudit(ctx context.Context, e env, args []string) int {
	usage := func() {
		fmt.Fprintln(e.stderr, "usage: zgate audit verify|export [--database DSN]")
		fmt.Fprintln(e.stderr, "\n  verify  check the audit log's hash chain (exit 0 intact, 1 broken, 2 error)")
		fmt.Fprintln(e.stderr, "  export  print the audit log as JSON lines")
		fmt.Fprintf(e.stderr, "\nDSN defaults to $ZGATE_DATABASE, else %s; postgres://... for PostgreSQL.\n", app.DefaultDatabase)
	}
	if len(args) == 0 {
		usage()
		return exitUsage
	}
	sub := args[0]
	if sub == "-h" || sub == "--help" || sub == "help" {
		usage()
		return exitOK
	}
	if sub != "verify" && sub != "export" {
		fmt.Fprintf(e.stderr, "zgate audit: unknown subcommand %q\n", sub)
		usage()
		return exitUsage
	}
	fs := flag.NewFlagSet("audit "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = usage
	dsn := e.getenv("ZGATE_DATABASE")
	if dsn == "" {
		dsn = app.DefaultDatabase
	}
	fs.StringVar(&dsn, "database", dsn, "database DSN (sqlite:PATH or postgres://...)")
	if code, ok := parseFlags(fs, args[1:], true); !ok {
		return code
	}
	s, err := openExisting(ctx, dsn)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate audit %s: %v\n", sub, err)
		return exitUsage
	}
	defer s.Close()

	if sub == "export" {
		if err := audit.Export(ctx, s, e.stdout); err != nil {
			fmt.Fprintf(e.stderr, "zgate audit export: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	n, err := audit.Verify(ctx, s)
	if err == nil {
		fmt.Fprintf(e.stdout, "audit log OK: %d records\n", n)
		return exitOK
	}
	if broken, ok := errors.AsType[*audit.ChainError](err); ok {
		fmt.Fprintf(e.stdout, "audit log BROKEN at seq %d: %s\n", broken.Seq, broken.Reason())
		return exitFailed
	}
	fmt.Fprintf(e.stderr, "zgate audit verify: %v\n", err)
	return exitUsage
}

// openExisting opens the store, refusing to create a SQLite file that is
// not there: verifying a mistyped path must not report an empty, intact log.
func openExisting(ctx context.Context, dsn string) (*store.Store, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok && path != ":memory:" {
		path, _, _ = strings.Cut(path, "?")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("database %s: %w", path, err)
		}
	}
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return s, nil
}
