package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
)

// exitUnverified is `zgate audit verify`'s answer when the chain holds but
// keyed records could not be checked: no key was given.
const exitUnverified = 3

// runAudit is `zgate audit verify|export [--database DSN]`. verify walks
// the chain, with the keys (--key-file) and checkpoints (--checkpoints)
// given: exit 0 "audit log OK: N records", 1 "audit log BROKEN at seq N:
// reason", 2 bad arguments or an unreachable database, 3 "audit log NOT
// VERIFIED": keyed records and no key. export prints the records as JSON
// lines.
func runAudit(ctx context.Context, e env, args []string) int {
	usage := func() {
		fmt.Fprintln(e.stderr, "usage: zgate audit verify [--database DSN] [--key-file FILE]... [--checkpoints FILE]")
		fmt.Fprintln(e.stderr, "       zgate audit export [--database DSN] [--format jsonl] [--since SEQ]")
		fmt.Fprintln(e.stderr, "\n  verify  check the audit log's chain, MACs and checkpoints")
		fmt.Fprintln(e.stderr, "          exit 0 intact, 1 broken, 2 error, 3 keyed records not checked (no key given)")
		fmt.Fprintln(e.stderr, "  export  print the audit log as JSON lines (docs/audit.md), those after --since SEQ only")
		fmt.Fprintf(e.stderr, "\nDSN defaults to $ZGATE_DATABASE, else %s; postgres://... for PostgreSQL.\n", app.DefaultDatabase)
		fmt.Fprintln(e.stderr, "--key-file defaults to $ZGATE_AUDIT_KEY_FILE (repeat it for every key the log was written with),")
		fmt.Fprintln(e.stderr, "--checkpoints to $ZGATE_AUDIT_CHECKPOINT_FILE (zgate serve's checkpoint file, or its JSON log).")
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
	var keyFiles stringsValue
	checkpoints := e.getenv("ZGATE_AUDIT_CHECKPOINT_FILE")
	format, since := "jsonl", int64(0)
	if sub == "verify" {
		fs.Var(&keyFiles, "key-file", "audit key file (repeatable)")
		fs.StringVar(&checkpoints, "checkpoints", checkpoints, "file of audit checkpoints")
	} else {
		fs.StringVar(&format, "format", format, "output format: jsonl (one JSON object per line)")
		fs.Int64Var(&since, "since", 0, "export only the records after this seq (the last one shipped)")
	}
	if code, ok := parseFlags(fs, args[1:], true); !ok {
		return code
	}
	if format != "jsonl" {
		return usageError(fs, "--format %q: want jsonl", format)
	}
	if since < 0 {
		return usageError(fs, "--since %d: want a seq, 0 or more", since)
	}
	if sub == "verify" && len(keyFiles) == 0 && e.getenv("ZGATE_AUDIT_KEY_FILE") != "" {
		keyFiles = stringsValue{e.getenv("ZGATE_AUDIT_KEY_FILE")}
	}
	var opts audit.VerifyOptions
	for _, path := range keyFiles {
		k, err := readAuditKey(path)
		if err != nil {
			fmt.Fprintf(e.stderr, "zgate audit %s: %v\n", sub, err)
			return exitUsage
		}
		opts.Keys = append(opts.Keys, k)
	}
	if sub == "verify" && checkpoints != "" {
		cs, err := readCheckpoints(checkpoints)
		if err != nil {
			fmt.Fprintf(e.stderr, "zgate audit verify: %v\n", err)
			return exitUsage
		}
		opts.Checkpoints = cs
	}
	s, err := openExisting(ctx, dsn)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate audit %s: %v\n", sub, err)
		return exitUsage
	}
	defer s.Close()

	if sub == "export" {
		if err := audit.ExportSince(ctx, s, e.stdout, since); err != nil {
			fmt.Fprintf(e.stderr, "zgate audit export: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	rep, err := audit.VerifyWith(ctx, s, opts)
	if broken, ok := errors.AsType[*audit.ChainError](err); ok {
		fmt.Fprintf(e.stdout, "audit log BROKEN at seq %d: %s\n", broken.Seq, broken.Reason())
		return exitFailed
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate audit verify: %v\n", err)
		return exitUsage
	}
	return reportVerified(e.stdout, e.stderr, rep, opts)
}

// reportVerified prints what an unbroken chain's verification showed, and
// warns about what it could not show.
func reportVerified(stdout, stderr io.Writer, rep audit.Report, opts audit.VerifyOptions) int {
	code := exitOK
	if rep.Unchecked > 0 {
		fmt.Fprintf(stdout, "audit log NOT VERIFIED: %s; %s (from seq %d) not checked: give their key with --key-file\n",
			count(rep.Records, "record"), count(rep.Unchecked, "keyed record"), rep.FirstKeyed)
		code = exitUnverified
	} else {
		fmt.Fprintf(stdout, "audit log OK: %s\n", count(rep.Records, "record"))
	}
	switch {
	case rep.Keyed > 0:
		fmt.Fprintf(stdout, "keyed: %s checked with the key", count(rep.Keyed, "record"))
		if rep.Plain > 0 {
			verb := "are"
			if rep.Plain == 1 {
				verb = "is"
			}
			fmt.Fprintf(stdout, "; the %s before seq %d %s anchored by its MAC", count(rep.Plain, "plain record"), rep.FirstKeyed, verb)
		}
		fmt.Fprintln(stdout)
	case rep.Records > 0 && rep.Unchecked == 0:
		fmt.Fprintln(stderr, "warning: the audit log is not keyed: whoever can write the database can rewrite it and recompute the hashes unnoticed; run zgate serve with --audit-key-file (docs/config.md)")
	}
	if rep.Records > 0 {
		fmt.Fprintf(stdout, "head: seq %d hash %s\n", rep.Head.Seq, rep.Head.Hash)
	}
	switch {
	case len(opts.Checkpoints) > 0:
		fmt.Fprintf(stdout, "checkpoints: %d matched, none past the end\n", rep.Checkpoints)
		if len(opts.Keys) == 0 {
			fmt.Fprintln(stderr, "warning: checkpoint MACs not checked without --key-file")
		}
	case rep.Records > 0:
		fmt.Fprintln(stderr, "warning: no checkpoints given (--checkpoints): records cut off the end cannot be detected")
	}
	return code
}

// openExisting opens the store without migrating it, refusing to create a
// SQLite file that is not there and a database that holds no zgate schema:
// verifying a mistyped path or another application's database must not
// report an empty, intact log.
func openExisting(ctx context.Context, dsn string) (*store.Store, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok && path != ":memory:" {
		path, _, _ = strings.Cut(path, "?")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("database %s: %w", path, err)
		}
	}
	s, err := store.OpenExisting(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return s, nil
}

// count says "1 record" or "3 records": n and noun, plural with an s.
func count[N int | int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
