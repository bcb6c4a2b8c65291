package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// Checkpoint pins the log's length and head: the record Seq exists and
// has Hash. Kept outside the database (a log line, a file), a checkpoint
// lets [VerifyWith] see records cut off the end, which the chain alone
// cannot show. With a key, MAC authenticates the checkpoint itself.
type Checkpoint struct {
	Seq   int64     `json:"seq"`
	Hash  string    `json:"hash"`
	Time  time.Time `json:"time"` // the record's time
	KeyID string    `json:"key_id,omitempty"`
	MAC   string    `json:"mac,omitempty"`
}

// Checkpoint returns a checkpoint of the log's last record, with a MAC
// when l has a key; ok is false when the log is empty.
// It first makes every record durable (store.Store.Sync): records may be
// committed lazily, and a checkpoint must never name one a power cut can
// still take back — verify would then take the cut for a truncation.
func (l *Log) Checkpoint(ctx context.Context) (c Checkpoint, ok bool, err error) {
	if err := l.s.Sync(ctx); err != nil {
		return Checkpoint{}, false, fmt.Errorf("audit checkpoint: %w", err)
	}
	last, err := l.s.LastAudit(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("audit checkpoint: %w", err)
	}
	c = Checkpoint{Seq: last.Seq, Hash: last.Hash, Time: last.Time.UTC()}
	if l.key != nil {
		c.KeyID = l.key.id
		c.MAC = l.key.checkpointMAC(c)
	}
	return c, true, nil
}

// maxCheckpointLine bounds one line of a checkpoint file.
const maxCheckpointLine = 1 << 20

// ReadCheckpoints reads checkpoints, one JSON object per line: either a
// checkpoint itself (the --audit-checkpoint-file of zgate serve) or a JSON
// log line carrying one under "checkpoint" (zgate serve's "audit
// checkpoint" lines). Other lines are skipped, so a whole JSON log can be
// given.
func ReadCheckpoints(r io.Reader) ([]Checkpoint, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxCheckpointLine)
	var out []Checkpoint
	for sc.Scan() {
		var line struct {
			Nested *Checkpoint `json:"checkpoint"`
			Checkpoint
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		c := line.Checkpoint
		if line.Nested != nil {
			c = *line.Nested
		}
		if c.Seq <= 0 || c.Hash == "" {
			continue
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	return out, nil
}
