package main

import (
	"fmt"
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
