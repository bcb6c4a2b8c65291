-- When zgate first evaluated each gate of each head of a pull request as
-- pending, and when that gate first reached its quorum on that head: the
-- approval latency SLI (first pending evaluation -> quorum) is their
-- difference, observed once per (PR, head, gate) even with several
-- replicas (quorum_us is set only where it is still NULL).
CREATE TABLE gate_pending (
	owner      TEXT    NOT NULL,
	repo       TEXT    NOT NULL,
	number     INTEGER NOT NULL,
	head_sha   TEXT    NOT NULL,
	gate       TEXT    NOT NULL,
	pending_us INTEGER NOT NULL,
	quorum_us  INTEGER,
	PRIMARY KEY (owner, repo, number, head_sha, gate)
) STRICT;
CREATE INDEX gate_pending_at ON gate_pending (pending_us);
