-- The status zgate last wrote on each check run (queued, in_progress or
-- completed), kept with its fingerprint so that an update needs no GET to
-- learn whether the run is completed (a completed run is never reopened).
-- '' (rows from before this migration) means unknown: read it from GitHub.
ALTER TABLE check_runs ADD COLUMN run_status TEXT NOT NULL DEFAULT '';

-- Commit statuses claiming a zgate check name that webhooks reported, per
-- commit: seq counts them. An evaluation re-reads a commit's statuses only
-- when seq moved since its last read (or on its first evaluation).
CREATE TABLE status_notices (
	owner      TEXT    NOT NULL,
	repo       TEXT    NOT NULL,
	sha        TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	updated_us INTEGER NOT NULL,
	PRIMARY KEY (owner, repo, sha)
) STRICT;
CREATE INDEX status_notices_updated ON status_notices (updated_us);
