-- Who pushed to which pull request, and when zgate first saw each head of
-- each pull request. One row per (repository, pull request, head, sender):
-- the sender of a pull_request opened, synchronize or reopened delivery
-- (number 0: the sender of a push to a branch), or '' when zgate first saw
-- the head in an evaluation, without a delivery. seen_us is the first
-- sighting. Keyed by GitHub's repository id, which survives renames and
-- transfers.
CREATE TABLE pushes (
	repo_id  INTEGER NOT NULL,
	number   INTEGER NOT NULL,
	head_sha TEXT    NOT NULL,
	sender   TEXT    NOT NULL,
	seen_us  INTEGER NOT NULL,
	PRIMARY KEY (repo_id, number, head_sha, sender)
) STRICT;
CREATE INDEX pushes_head ON pushes (repo_id, head_sha);
