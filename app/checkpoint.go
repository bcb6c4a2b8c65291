package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
)

// checkpointer takes audit checkpoints: the last record's seq and hash,
// with a MAC under the audit key, written where a database administrator
// cannot reach (the process log, a file), so that `zgate audit verify
// --checkpoints` can tell records cut off the end.
type checkpointer struct {
	log   *audit.Log
	file  string
	every time.Duration
	l     *slog.Logger
	last  int64 // seq of the last checkpoint taken
}

// run takes a checkpoint at once, then every interval when the log grew,
// until ctx ends. The caller takes the last one ([checkpointer.final])
// once nothing appends any more.
func (c *checkpointer) run(ctx context.Context) {
	c.take(ctx)
	if c.every <= 0 {
		return
	}
	t := time.NewTicker(c.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.take(ctx)
		}
	}
}

// final takes the last checkpoint, at shutdown: after it, records can be
// cut off only by whoever also holds the checkpoint file or the log.
func (c *checkpointer) final(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	c.take(ctx)
}

// take writes a checkpoint unless the log did not grow since the last.
func (c *checkpointer) take(ctx context.Context) {
	cp, ok, err := c.log.Checkpoint(ctx)
	if err != nil {
		c.l.Warn("audit checkpoint failed", "err", err)
		return
	}
	if !ok || cp.Seq == c.last {
		return
	}
	c.l.Info("audit checkpoint", "checkpoint", cp)
	if c.file != "" {
		if err := appendCheckpoint(c.file, cp); err != nil {
			c.l.Error("cannot write the audit checkpoint file", "file", c.file, "err", err)
			return
		}
	}
	c.last = cp.Seq
}

// appendCheckpoint appends cp to path as a JSON line and syncs it.
func appendCheckpoint(path string, cp audit.Checkpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open checkpoint file: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write checkpoint file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync checkpoint file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close checkpoint file: %w", err)
	}
	return nil
}
