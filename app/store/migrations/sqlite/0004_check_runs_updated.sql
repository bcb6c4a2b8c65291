-- When each check-run fingerprint was last written, so fingerprints of
-- commits no longer evaluated can be pruned. Rows from before this
-- migration count as written now.
ALTER TABLE check_runs ADD COLUMN updated_us INTEGER NOT NULL DEFAULT 0;
UPDATE check_runs SET updated_us = CAST(strftime('%s', 'now') AS INTEGER) * 1000000;
CREATE INDEX check_runs_updated ON check_runs (updated_us);
