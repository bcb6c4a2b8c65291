-- The status zgate last wrote on each check run (queued, in_progress or
-- completed), kept with its fingerprint so that an update needs no GET to
-- learn whether the run is completed (a completed run is never reopened).
-- '' (rows from before this migration) means unknown: read it from GitHub.
ALTER TABLE check_runs ADD COLUMN run_status TEXT NOT NULL DEFAULT '';
