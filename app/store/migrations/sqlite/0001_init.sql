-- Initial schema. Times are integer microseconds since the Unix epoch, UTC.
CREATE TABLE deliveries (
	id          TEXT    PRIMARY KEY,
	event       TEXT    NOT NULL,
	received_us INTEGER NOT NULL
) STRICT;
CREATE INDEX deliveries_received ON deliveries (received_us);

-- One row per PR: pending (token NULL) or claimed (token set). dirty marks
-- an Enqueue that arrived while claimed; Complete turns it into a new run.
CREATE TABLE jobs (
	id              INTEGER PRIMARY KEY,
	installation    INTEGER NOT NULL,
	owner           TEXT    NOT NULL,
	repo            TEXT    NOT NULL,
	number          INTEGER NOT NULL,
	run_at_us       INTEGER NOT NULL,
	attempt         INTEGER NOT NULL DEFAULT 0,
	token           TEXT,
	worker          TEXT,
	lease_until_us  INTEGER,
	dirty           INTEGER NOT NULL DEFAULT 0,
	dirty_run_at_us INTEGER,
	UNIQUE (owner, repo, number)
) STRICT;
CREATE INDEX jobs_run_at ON jobs (run_at_us);

CREATE TABLE executions (
	id           TEXT    PRIMARY KEY,
	installation INTEGER NOT NULL,
	owner        TEXT    NOT NULL,
	repo         TEXT    NOT NULL,
	number       INTEGER NOT NULL,
	gate         TEXT    NOT NULL,
	head_sha     TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	status       TEXT    NOT NULL,
	detail       TEXT    NOT NULL,
	created_us   INTEGER NOT NULL,
	updated_us   INTEGER NOT NULL,
	UNIQUE (owner, repo, number, gate, head_sha)
) STRICT;
CREATE INDEX executions_status ON executions (status, created_us);

CREATE TABLE check_runs (
	owner       TEXT    NOT NULL,
	repo        TEXT    NOT NULL,
	sha         TEXT    NOT NULL,
	name        TEXT    NOT NULL,
	run_id      INTEGER NOT NULL,
	fingerprint TEXT    NOT NULL,
	PRIMARY KEY (owner, repo, sha, name)
) STRICT;

CREATE TABLE audit (
	seq       INTEGER PRIMARY KEY,
	time_us   INTEGER NOT NULL,
	kind      TEXT    NOT NULL,
	repo      TEXT    NOT NULL,
	pr        INTEGER NOT NULL,
	gate      TEXT    NOT NULL,
	head_sha  TEXT    NOT NULL,
	data      BLOB,
	prev_hash TEXT    NOT NULL,
	hash      TEXT    NOT NULL UNIQUE
) STRICT;
