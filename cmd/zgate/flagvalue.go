package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// durationValue is a flag.Value for a non-negative duration.
type durationValue time.Duration

func (d *durationValue) String() string { return time.Duration(*d).String() }

func (d *durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("not a duration (like 30m or 1h): %w", err)
	}
	if v < 0 {
		return fmt.Errorf("%s is negative", s)
	}
	*d = durationValue(v)
	return nil
}

func (d durationValue) get() time.Duration { return time.Duration(d) }

// stringsValue is a repeatable string flag.
type stringsValue []string

func (s *stringsValue) String() string { return strings.Join(*s, ",") }

func (s *stringsValue) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// secretFlag is the value of a secret given either inline (--NAME) or in
// a file (--NAME-file), never both; a file's trailing newlines are not
// part of the secret. what names the secret in errors.
func secretFlag(value, file, name, what string) (string, error) {
	if file == "" {
		return value, nil
	}
	if value != "" {
		return "", fmt.Errorf("give --%s or --%s-file, not both", name, name)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read the %s: %w", what, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
