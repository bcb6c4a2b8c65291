// Package audit keeps zgate's append-only, hash-chained audit log in the
// store: every decision that changed a check, every Z and its result,
// every override with its reason, every rejected webhook.
//
// Each record's Hash is the hex SHA-256 of a canonical encoding of its
// seq, time (RFC 3339, UTC, to the microsecond), kind, repo, PR, gate,
// head SHA, data and the previous record's hash ([Hash]); the first
// record's previous hash is 64 zeros ([GenesisHash]). [Log.Append] adds a
// record, [Verify] walks the chain and names the first broken record in a
// [*ChainError], and [Export] writes the records as JSON lines.
//
// Editing, deleting or reordering any record breaks the chain from that
// record on. Removing records from the end cannot be seen from the chain
// alone: keep the last hash somewhere else (an export, a log line) to
// detect truncation.
package audit
