package policy

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseWindow parses a window: Go duration syntax ("24h", "90m", "1h30m")
// optionally led by whole days ("7d", "2d12h"). It must be positive.
func parseWindow(s string) (time.Duration, error) {
	const day = 24 * time.Hour
	var days int64
	hasDays := false
	rest := s
	if i := strings.IndexByte(s, 'd'); i > 0 {
		if n, err := strconv.ParseInt(s[:i], 10, 64); err == nil && s[0] != '+' && s[0] != '-' {
			if n > math.MaxInt64/int64(day) {
				return 0, fmt.Errorf("%q is too long", s)
			}
			days, rest, hasDays = n, s[i+1:], true
		}
	}
	var d time.Duration
	if rest != "" || !hasDays {
		if hasDays && (rest[0] == '+' || rest[0] == '-') {
			return 0, fmt.Errorf("bad duration %q: want e.g. 24h, 90m, 7d or 2d12h", s)
		}
		var err error
		d, err = time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q: want e.g. 24h, 90m, 7d or 2d12h", s)
		}
	}
	total := time.Duration(days) * day
	if d > 0 && total > math.MaxInt64-d {
		return 0, fmt.Errorf("%q is too long", s)
	}
	total += d
	if total <= 0 {
		return 0, errors.New("must be longer than zero, got " + strconv.Quote(s))
	}
	return total, nil
}
