-- Review requests per pull request and team (lower case): a row means
-- zgate never requests that team's review on that pull request again.
-- state is 'requested' (zgate asked, or is about to: the row is written
-- before the call, so a crash cannot make it ask twice) or 'removed' (a
-- person removed the request).
CREATE TABLE review_requests (
	owner      TEXT    NOT NULL,
	repo       TEXT    NOT NULL,
	number     INTEGER NOT NULL,
	team       TEXT    NOT NULL,
	state      TEXT    NOT NULL,
	updated_us INTEGER NOT NULL,
	PRIMARY KEY (owner, repo, number, team)
) STRICT;

-- PR commands by comment (/zgate recheck, explain, ...), recorded with
-- the delivery that brought them and answered once by the evaluation of
-- their pull request: answered_us is 0 until then.
CREATE TABLE pr_commands (
	comment_id   INTEGER NOT NULL PRIMARY KEY,
	installation INTEGER NOT NULL,
	owner        TEXT    NOT NULL,
	repo         TEXT    NOT NULL,
	number       INTEGER NOT NULL,
	command      TEXT    NOT NULL,
	sender       TEXT    NOT NULL,
	created_us   INTEGER NOT NULL,
	answered_us  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX pr_commands_pending ON pr_commands (owner, repo, number) WHERE answered_us = 0;
