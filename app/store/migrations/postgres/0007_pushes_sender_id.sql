-- GitHub's account id of each push's sender (0: unknown, rows from before
-- this migration and sightings without a delivery). Anyone can rename
-- their account: the login recorded with a push may no longer be the
-- pusher's, the id always is.
ALTER TABLE pushes ADD COLUMN sender_id BIGINT NOT NULL DEFAULT 0;
