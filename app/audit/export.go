package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// exported is one line of Export. Data is the stored JSON when it is
// compact JSON (always, for records written by Log) and otherwise the raw
// bytes as a string in DataRaw, so every line can be re-hashed.
type exported struct {
	Seq      int64           `json:"seq"`
	Time     string          `json:"time"`
	Kind     string          `json:"kind"`
	Repo     string          `json:"repo"`
	PR       int             `json:"pr"`
	Gate     string          `json:"gate"`
	HeadSHA  string          `json:"head_sha"`
	Data     json.RawMessage `json:"data,omitempty"`
	DataRaw  *string         `json:"data_raw,omitempty"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
	KeyID    string          `json:"key_id,omitempty"`
}

// Export writes every record, oldest first, as one JSON object per line.
// It does not verify; run Verify for that.
func Export(ctx context.Context, s *store.Store, w io.Writer) error {
	return ExportSince(ctx, s, w, 0)
}

// ExportSince is [Export] of the records whose seq is greater than since:
// a shipper passes the last seq it sent and gets what is new.
func ExportSince(ctx context.Context, s *store.Store, w io.Writer, since int64) error {
	if since < 0 {
		return fmt.Errorf("export audit: since %d: want 0 or a seq", since)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	after := since
	for {
		page, err := s.AuditRecords(ctx, after, pageSize)
		if err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		for _, r := range page {
			if err := enc.Encode(toExported(r)); err != nil {
				return fmt.Errorf("export audit seq %d: %w", r.Seq, err)
			}
		}
		if len(page) < pageSize {
			break
		}
		after = page[len(page)-1].Seq
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export audit: %w", err)
	}
	return nil
}

func toExported(r store.AuditRecord) exported {
	e := exported{
		Seq: r.Seq, Time: r.Time.UTC().Format(time.RFC3339Nano), Kind: r.Kind, Repo: r.Repo,
		PR: r.PR, Gate: r.Gate, HeadSHA: r.HeadSHA, PrevHash: r.PrevHash, Hash: r.Hash, KeyID: r.KeyID,
	}
	var compact bytes.Buffer
	if json.Compact(&compact, r.Data) == nil && bytes.Equal(compact.Bytes(), r.Data) {
		e.Data = r.Data
	} else {
		raw := string(r.Data)
		e.DataRaw = &raw
	}
	return e
}
