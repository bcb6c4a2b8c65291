-- Audit records appended with a key (zgate serve --audit-key-file) carry the
-- key's id; their hash is an HMAC-SHA256 under that key. '' is a plain
-- SHA-256 record, as every record before this migration.
ALTER TABLE audit ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
