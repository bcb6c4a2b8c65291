package ghclient

import (
	"bytes"
	"fmt"
	"github.com/klauspost/compress/flate"
	"io"
	"sync"
)

// Cached bodies are kept deflated. GitHub's JSON is repetitive (every
// pull request embeds its base and head repository objects, and every
// user object the same dozen URLs), so a 14.5 KB pull request keeps in
// about 2.5 KB: the cache holds several times more answers per megabyte,
// which is both the memory of `zgate serve` with 1,000 open pull requests
// and the rate limit a sweep saves (an entry evicted costs a full answer
// instead of a 304). Deflating costs a fraction of a millisecond per 200
// answer, inflating less per 304; the body handed back is byte for byte
// what GitHub sent. klauspost/compress's flate (already in the module
// graph) is the standard library's API at 1.2x (deflate) to 1.5x
// (inflate) the speed (BenchmarkCompact).

// minDeflate is the smallest body worth deflating: below it the
// compressor's framing eats most of the gain.
const minDeflate = 512

// deflaters pools the compressors and decompressors of one cache (a
// flate writer holds about 1 MB of state, a reader 40 KB).
type deflaters struct {
	writers sync.Pool // *flate.Writer
	readers sync.Pool // io.ReadCloser implementing flate.Resetter
}

// compact returns what the cache keeps of body: deflated, in a slice of
// exactly its size, with the raw length; or body itself, trimmed to its
// length, and 0 when deflating does not save a quarter.
func (d *deflaters) compact(body []byte) ([]byte, int) {
	if len(body) >= minDeflate {
		var buf bytes.Buffer
		buf.Grow(len(body) / 4)
		w, _ := d.writers.Get().(*flate.Writer)
		if w == nil {
			w, _ = flate.NewWriter(&buf, flate.BestSpeed) // the level is valid
		} else {
			w.Reset(&buf)
		}
		_, werr := w.Write(body) // a bytes.Buffer does not fail
		cerr := w.Close()
		d.writers.Put(w)
		if werr == nil && cerr == nil && buf.Len() <= len(body)*3/4 {
			return bytes.Clone(buf.Bytes()), len(body)
		}
	}
	if cap(body) > len(body) {
		body = bytes.Clone(body) // io.ReadAll leaves up to half unused
	}
	return body, 0
}

// expand returns e's body as GitHub sent it. The slice is the caller's:
// an inflated body is a fresh copy, a stored one is shared read-only.
func (d *deflaters) expand(e *etagEntry) ([]byte, error) {
	if e.rawLen <= 0 {
		return e.stored, nil
	}
	src := bytes.NewReader(e.stored)
	r, _ := d.readers.Get().(io.ReadCloser)
	if r == nil {
		r = flate.NewReader(src)
	} else if err := r.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, fmt.Errorf("inflate a cached body: %w", err)
	}
	defer d.readers.Put(r)
	out := make([]byte, e.rawLen)
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, fmt.Errorf("inflate a cached body: %w", err)
	}
	if n, _ := r.Read(make([]byte, 1)); n != 0 {
		return nil, fmt.Errorf("inflate a cached body: longer than the %d bytes stored", e.rawLen)
	}
	return out, nil
}
