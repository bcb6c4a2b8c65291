package store

import (
	"context"
	"fmt"
	"time"
)

const recordDeliveryQuery = `INSERT INTO deliveries (id, event, received_us) VALUES ($1, $2, $3)
		 ON CONFLICT (id) DO NOTHING`

// RecordDelivery stores a webhook delivery once; new is false when the
// delivery id was seen before (a replay), in which case nothing changes.
func (s *Store) RecordDelivery(ctx context.Context, id, event string, received time.Time) (new bool, err error) {
	if id == "" {
		return false, fmt.Errorf("record delivery: empty delivery id")
	}
	res, err := s.exec(ctx, recordDeliveryQuery, id, event, micros(received))
	if err != nil {
		return false, fmt.Errorf("record delivery %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record delivery %s: %w", id, err)
	}
	return n == 1, nil
}

// PruneDeliveries forgets deliveries received before the given time and
// returns how many it removed. GitHub redelivers for a few days at most,
// so keeping a week is plenty.
func (s *Store) PruneDeliveries(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, "DELETE FROM deliveries WHERE received_us < $1", micros(before))
	if err != nil {
		return 0, fmt.Errorf("prune deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune deliveries: %w", err)
	}
	return n, nil
}

// DeliverySeen reports whether a delivery id was recorded (and not yet
// pruned): its pull requests were queued, so asking GitHub to deliver it
// again is pointless.
func (s *Store) DeliverySeen(ctx context.Context, id string) (bool, error) {
	var n int
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM deliveries WHERE id = $1", id).Scan(&n); err != nil {
		return false, fmt.Errorf("delivery seen %s: %w", id, err)
	}
	return n > 0, nil
}
