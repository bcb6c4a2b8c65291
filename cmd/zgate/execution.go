package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
)

// runExecution is `zgate execution list|confirm|fail`: the Zs zgate ran,
// and a person's answer for a dispatch whose outcome is unknown (a crash
// or a lost answer during the call; zgate never dispatches twice on a
// guess). confirm says it ran, fail that it did not (the App may then
// dispatch again). Exit 0 done, 1 nothing to resolve (unknown id, outcome
// already known), 2 bad arguments or an unusable database.
func runExecution(ctx context.Context, e env, args []string) int {
	usage := func() {
		fmt.Fprintln(e.stderr, "usage: zgate execution list [--unknown] [--json] [--database DSN]")
		fmt.Fprintln(e.stderr, "       zgate execution confirm|fail ID --reason TEXT [--actor NAME] [--database DSN] [--key-file FILE]")
		fmt.Fprintln(e.stderr, "\n  list     the Zs (merges, dispatches) zgate recorded; --unknown: those waiting for a person")
		fmt.Fprintln(e.stderr, "  confirm  an unknown dispatch ran: the gate's check run says so, and zgate does not dispatch again")
		fmt.Fprintln(e.stderr, "  fail     an unknown dispatch did not run: zgate may dispatch again when the gate still holds")
		fmt.Fprintln(e.stderr, "\nconfirm and fail are audited with the person (--actor, else the OS user) and the reason, and")
		fmt.Fprintln(e.stderr, "make the running zgate serve re-evaluate the pull request.")
		fmt.Fprintf(e.stderr, "DSN defaults to $ZGATE_DATABASE, else %s; --key-file to $ZGATE_AUDIT_KEY_FILE.\n", app.DefaultDatabase)
	}
	if len(args) == 0 {
		usage()
		return exitUsage
	}
	sub := args[0]
	switch sub {
	case "-h", "--help", "help":
		usage()
		return exitOK
	case "list":
		return executionList(ctx, e, args[1:], usage)
	case "confirm", "fail":
		return executionResolve(ctx, e, sub, args[1:], usage)
	}
	fmt.Fprintf(e.stderr, "zgate execution: unknown subcommand %q\n", sub)
	usage()
	return exitUsage
}

// databaseFlag registers --database with zgate's default.
func databaseFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	dsn := getenv("ZGATE_DATABASE")
	if dsn == "" {
		dsn = app.DefaultDatabase
	}
	return fs.String("database", dsn, "database DSN (sqlite:PATH or postgres://...)")
}

// executionJSON is one execution in `zgate execution list --json`.
type executionJSON struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Kind    string `json:"kind"`
	Repo    string `json:"repo"`
	PR      int    `json:"pr"`
	Gate    string `json:"gate"`
	HeadSHA string `json:"head_sha"`
	Detail  string `json:"detail"`
	Created string `json:"created_at"`
	Updated string `json:"updated_at"`
}

func executionList(ctx context.Context, e env, args []string, usage func()) int {
	fs := flag.NewFlagSet("execution list", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = usage
	dsn := databaseFlag(fs, e.getenv)
	unknown := fs.Bool("unknown", false, "only dispatches whose outcome is unknown")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if code, ok := parseFlags(fs, args, true); !ok {
		return code
	}
	s, err := openExisting(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate execution list: %v\n", err)
		return exitUsage
	}
	defer s.Close()
	var status store.ExecutionStatus
	if *unknown {
		status = store.ExecUnknown
	}
	xs, err := s.Executions(ctx, status)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate execution list: %v\n", err)
		return exitUsage
	}
	if *asJSON {
		out := make([]executionJSON, 0, len(xs))
		for _, x := range xs {
			out = append(out, executionJSON{ID: x.ID, Status: string(x.Status), Kind: x.Kind,
				Repo: x.Key.Owner + "/" + x.Key.Repo, PR: x.Key.Number, Gate: x.Gate, HeadSHA: x.HeadSHA,
				Detail: x.Detail, Created: x.Created.Format(time.RFC3339), Updated: x.Updated.Format(time.RFC3339)})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(e.stderr, "zgate execution list: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	printExecutions(e.stdout, xs)
	return exitOK
}

// printExecutions writes xs as an aligned table.
func printExecutions(w io.Writer, xs []store.Execution) {
	if len(xs) == 0 {
		fmt.Fprintln(w, "no executions")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tKIND\tPULL REQUEST\tGATE\tHEAD\tUPDATED\tDETAIL")
	for _, x := range xs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s/%s#%d\t%s\t%s\t%s\t%s\n", x.ID, x.Status, x.Kind, x.Key.Owner, x.Key.Repo,
			x.Key.Number, x.Gate, shortSHA(x.HeadSHA), x.Updated.Format(time.RFC3339), oneLine(x.Detail))
	}
	tw.Flush()
}

func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// oneLine keeps a table row on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// resolutionRecord is the audit data of a person's answer; it has the
// shape of the executor's execution records, plus who and why.
type resolutionRecord struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	Detail     string `json:"detail,omitempty"`
	ResolvedBy string `json:"resolved_by"`
	Reason     string `json:"reason"`
	Previous   string `json:"previous_detail,omitempty"`
}

func executionResolve(ctx context.Context, e env, sub string, args []string, usage func()) int {
	fs := flag.NewFlagSet("execution "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = usage
	dsn := databaseFlag(fs, e.getenv)
	reason := fs.String("reason", "", "why: what was checked (required)")
	actor := fs.String("actor", "", "who resolves it, for the audit log (default: the OS user)")
	keyFile := fs.String("key-file", e.getenv("ZGATE_AUDIT_KEY_FILE"), "audit key file, when zgate serve keys the log")
	// The id may come before, between or after the flags.
	var ids []string
	for {
		if code, ok := parseFlags(fs, args, false); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		ids = append(ids, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(ids) != 1 {
		return usageError(fs, "want one execution id (zgate execution list --unknown shows them)")
	}
	id := ids[0]
	if strings.TrimSpace(*reason) == "" {
		return usageError(fs, "--reason is required: say what you checked")
	}
	who := strings.TrimSpace(*actor)
	if who == "" {
		u, err := user.Current()
		if err != nil || u.Username == "" {
			return usageError(fs, "cannot tell who you are (%v): give --actor", err)
		}
		who = u.Username
	}
	var key *audit.Key
	if *keyFile != "" {
		k, err := readAuditKey(*keyFile)
		if err != nil {
			return usageError(fs, "%v", err)
		}
		key = k
	}
	s, err := openExisting(ctx, *dsn)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	defer s.Close()
	x, err := resolve(ctx, s, key, id, sub, who, *reason)
	switch {
	case errors.Is(err, store.ErrNotFound):
		fmt.Fprintf(e.stderr, "zgate execution %s: no execution %s (zgate execution list shows them)\n", sub, id)
		return exitFailed
	case errors.Is(err, store.ErrNotUnknown):
		fmt.Fprintf(e.stderr, "zgate execution %s: execution %s is %s, not unknown: nothing to resolve\n", sub, id, x.Status)
		return exitFailed
	case errors.Is(err, audit.ErrKeyRequired):
		return usageError(fs, "the audit log is keyed: give zgate serve's audit key with --key-file")
	case err != nil:
		return usageError(fs, "%v", err)
	}
	fmt.Fprintf(e.stdout, "execution %s (%s of %s/%s#%d, gate %s): %s by %s; zgate serve re-evaluates the pull request\n",
		x.ID, x.Kind, x.Key.Owner, x.Key.Repo, x.Key.Number, x.Gate, x.Status, who)
	return exitOK
}

// resolve records the answer: confirmed or failed, with its audit record,
// and a re-evaluation job for the pull request.
func resolve(ctx context.Context, s *store.Store, key *audit.Key, id, sub, who, reason string) (store.Execution, error) {
	x, err := s.Execution(ctx, id)
	if err != nil {
		return store.Execution{}, err
	}
	if x.Status != store.ExecUnknown {
		return x, fmt.Errorf("execution %s: %w", id, store.ErrNotUnknown)
	}
	to, verb := store.ExecConfirmed, "confirmed"
	if sub == "fail" {
		to, verb = store.ExecFailed, "marked not run"
	}
	detail := fmt.Sprintf("%s by %s: %s", verb, who, oneLine(reason))
	key, err = keyOfLog(ctx, s, key)
	if err != nil {
		return x, err
	}
	log := audit.NewKeyed(s, time.Now, key)
	build, err := log.Builder(audit.Entry{
		Kind: audit.KindExecution, Repo: x.Key.Owner + "/" + x.Key.Repo, PR: x.Key.Number, Gate: x.Gate, HeadSHA: x.HeadSHA,
		Data: resolutionRecord{ID: x.ID, Kind: x.Kind, Status: string(to), Detail: detail, ResolvedBy: who, Reason: reason, Previous: x.Detail},
	})
	if err != nil {
		return x, err
	}
	resolved, err := s.ResolveExecution(ctx, id, to, detail, time.Now(), build)
	if err != nil {
		if errors.Is(err, store.ErrNotUnknown) {
			// Someone else answered in between.
			if now, rerr := s.Execution(ctx, id); rerr == nil {
				return now, err
			}
		}
		return x, err
	}
	return resolved, nil
}

// keyOfLog returns the key to write the next record with: the log's own.
// A plain log gets a plain record even when a key is given (writing the
// first keyed record is zgate serve's job, with its key record: a keyed
// record here would stop a serve that runs without a key); a keyed log
// needs its key.
func keyOfLog(ctx context.Context, s *store.Store, key *audit.Key) (*audit.Key, error) {
	last, err := s.LastAudit(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case last.KeyID == "":
		return nil, nil
	case key == nil:
		return nil, fmt.Errorf("%w (record %d was written with key %s)", audit.ErrKeyRequired, last.Seq, last.KeyID)
	case key.ID() != last.KeyID:
		return nil, fmt.Errorf("the audit log is keyed with key %s, and --key-file holds key %s: give zgate serve's current key", last.KeyID, key.ID())
	}
	return key, nil
}
