package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
)

// parseFlags parses args into fs, whose output is standard error. ok is
// false when the command must stop with code: exitOK after -h or --help,
// exitUsage on a bad flag (fs has said which) or, when noArgs, on a
// positional argument.
func parseFlags(fs *flag.FlagSet, args []string, noArgs bool) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if noArgs && fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "zgate %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, false
	}
	return exitOK, true
}

// usageError prints "zgate NAME: message" for fs's command to its output
// and returns exitUsage.
func usageError(fs *flag.FlagSet, format string, a ...any) int {
	fmt.Fprintf(fs.Output(), "zgate "+fs.Name()+": "+format+"\n", a...)
	return exitUsage
}

// applyEnv sets every flag not given on the command line from its
// environment variable, when that is set.
func applyEnv(fs *flag.FlagSet, getenv func(string) string, names map[string]string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, env := range names {
		v := getenv(env)
		if given[name] || v == "" {
			continue
		}
		if err := fs.Set(name, v); err != nil {
			return fmt.Errorf("%s=%q: %w", env, v, err)
		}
	}
	return nil
}

// newLogger builds the process logger; only cmd/zgate decides where logs go.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	ho := &slog.HandlerOptions{Level: l}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, ho)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, ho)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want json or text", format)
}

// setUsage makes fs print text, then its flags, on -h or a bad flag.
func setUsage(fs *flag.FlagSet, text string) {
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), text)
		fs.PrintDefaults()
	}
}
