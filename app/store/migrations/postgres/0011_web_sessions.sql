-- Sign-in sessions of the gate details page (app/web), shared by every
-- replica. id_hash is the SHA-256 of the session cookie, so the table
-- alone signs nobody in; token is the user's GitHub token sealed with a
-- key derived from the cookie (app/web), so it alone reads nothing.
CREATE TABLE web_sessions (
	id_hash    TEXT   PRIMARY KEY,
	login      TEXT   NOT NULL,
	token      BYTEA  NOT NULL,
	created_us BIGINT NOT NULL,
	expires_us BIGINT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_us);
-- The details page lists one pull request's audit records.
CREATE INDEX audit_pr ON audit (repo, pr, seq);
