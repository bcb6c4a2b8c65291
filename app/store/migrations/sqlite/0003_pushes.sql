-- Who pushed to which pull request, and when zgate first saw each head of
-- each pull request. One row per (repository, pull request, head, sender):
-- the sender of a pull_request opened, synchronize or reopened delivery
-- (number 0: the sender of a push to a branch), or '' when zgate first saw
-- the head in an evaluation, without a delivery. first_us and last_us
-- are the first and the latest sighting: a head that comes back (A, B,
-- then A again) is sighted again. Keyed by GitHub's repository id, which
-- survives renames and transfers.
CREATE TABLE pushes (
	repo_id  INTEGER NOT NULL,
	number   INTEGER NOT NULL,
	head_sha TEXT    NOT NULL,
	sender   TEXT    NOT NULL,
	first_us INTEGER NOT NULL,
	last_us  INTEGER NOT NULL,
	PRIMARY KEY (repo_id, number, head_sha, sender)
) STRICT;
CREATE INDEX pushes_head ON pushes (repo_id, head_sha);
