-- When each check-run fingerprint was last written, so fingerprints of
-- commits no longer evaluated can be pruned. Rows from before this
-- migration count as written now.
ALTER TABLE check_runs ADD COLUMN updated_us BIGINT NOT NULL DEFAULT 0;
UPDATE check_runs SET updated_us = (EXTRACT(EPOCH FROM now()) * 1000000)::BIGINT;
CREATE INDEX check_runs_updated ON check_runs (updated_us);
