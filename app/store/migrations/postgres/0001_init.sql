-- Initial schema. Times are integer microseconds since the Unix epoch, UTC,
-- as on SQLite, so both engines store and return identical values.
CREATE TABLE deliveries (
	id          TEXT   PRIMARY KEY,
	event       TEXT   NOT NULL,
	received_us BIGINT NOT NULL
);
CREATE INDEX deliveries_received ON deliveries (received_us);

-- One row per PR: pending (token NULL) or claimed (token set). dirty marks
-- an Enqueue that arrived while claimed; Complete turns it into a new run.
CREATE TABLE jobs (
	id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	installation    BIGINT  NOT NULL,
	owner           TEXT    NOT NULL,
	repo            TEXT    NOT NULL,
	number          INTEGER NOT NULL,
	run_at_us       BIGINT  NOT NULL,
	attempt         INTEGER NOT NULL DEFAULT 0,
	token           TEXT,
	worker          TEXT,
	lease_until_us  BIGINT,
	dirty           BOOLEAN NOT NULL DEFAULT FALSE,
	dirty_run_at_us BIGINT,
	UNIQUE (owner, repo, number)
);
CREATE INDEX jobs_run_at ON jobs (run_at_us);

CREATE TABLE executions (
	id           TEXT    PRIMARY KEY,
	installation BIGINT  NOT NULL,
	owner        TEXT    NOT NULL,
	repo         TEXT    NOT NULL,
	number       INTEGER NOT NULL,
	gate         TEXT    NOT NULL,
	head_sha     TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	status       TEXT    NOT NULL,
	detail       TEXT    NOT NULL,
	created_us   BIGINT  NOT NULL,
	updated_us   BIGINT  NOT NULL,
	UNIQUE (owner, repo, number, gate, head_sha)
);
CREATE INDEX executions_status ON executions (status, created_us);

CREATE TABLE check_runs (
	owner       TEXT   NOT NULL,
	repo        TEXT   NOT NULL,
	sha         TEXT   NOT NULL,
	name        TEXT   NOT NULL,
	run_id      BIGINT NOT NULL,
	fingerprint TEXT   NOT NULL,
	PRIMARY KEY (owner, repo, sha, name)
);

CREATE TABLE audit (
	seq       BIGINT  PRIMARY KEY,
	time_us   BIGINT  NOT NULL,
	kind      TEXT    NOT NULL,
	repo      TEXT    NOT NULL,
	pr        INTEGER NOT NULL,
	gate      TEXT    NOT NULL,
	head_sha  TEXT    NOT NULL,
	data      BYTEA,
	prev_hash TEXT    NOT NULL,
	hash      TEXT    NOT NULL UNIQUE
);
