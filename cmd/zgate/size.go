package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/zgate-dev/zgate/policy"
)

// maxSnapshotSize is the largest snapshot `zgate simulate` reads. A
// snapshot of a pull request at GitHub's limits (3,000 files, hundreds of
// reviews, large teams) is a few MiB; anything past this is a mistake, and
// decoding it would take several times its size in memory.
const maxSnapshotSize = 16 << 20

// tooLargeError is readCapped's error for input past its limit; validate
// reports such a policy as invalid rather than unreadable.
type tooLargeError struct{ msg string }

func (e *tooLargeError) Error() string { return e.msg }

// isTooLarge reports whether err is a [tooLargeError].
func isTooLarge(err error) bool {
	_, ok := errors.AsType[*tooLargeError](err)
	return ok
}

// readCapped reads the file at path, refusing one larger than limit
// before reading it (its size from stat) or, when stat cannot tell (a
// pipe), once more than limit bytes came. what names the input in errors.
func readCapped(path, what string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
		return nil, &tooLargeError{fmt.Sprintf("%s %s is %s, more than the %s allowed", what, path, policy.FormatSize(fi.Size()), policy.FormatSize(limit))}
	}
	return readAllCapped(f, path, what, limit)
}

// readAllCapped reads r to its end, refusing more than limit bytes.
func readAllCapped(r io.Reader, name, what string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, name, err)
	}
	if int64(len(data)) > limit {
		return nil, &tooLargeError{fmt.Sprintf("%s %s is more than the %s allowed", what, name, policy.FormatSize(limit))}
	}
	return data, nil
}
