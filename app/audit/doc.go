// Package audit keeps zgate's append-only, hash-chained audit log in the
// store: every decision that changed a check, every Z and its result,
// every override with its reason, every rejected webhook.
//
// Each record links to the one before through PrevHash; the first
// record's previous hash is 64 zeros ([GenesisHash]). A record's Hash is
// computed over a canonical encoding of its seq, time (RFC 3339, UTC, to
// the microsecond), kind, repo, PR, gate, head SHA, data and previous hash:
//
//   - a plain record (no key) holds the hex SHA-256 of it ([Hash]). Anyone
//     who can write the database can rewrite such a record and recompute
//     every hash after it: plain hashes show accidents, not forgeries.
//   - a keyed record ([NewKeyed], zgate serve --audit-key-file) holds the
//     hex HMAC-SHA256 of it, and of its key id, under a [Key] the database
//     does not hold: rewriting, deleting or reordering records needs the
//     key. A keyed record's MAC covers the previous hash, so it anchors
//     every record before it, plain ones included.
//
// [Log.Start] writes a [KindKey] record when a key starts (or changes), so
// that a keyed log always holds a keyed record and never a plain record
// after one; a log rewritten without keys is then told apart.
//
// Removing records from the end cannot be seen from the chain alone:
// [Log.Checkpoint] gives the last record's seq and hash, with a MAC, to be
// kept outside the database (zgate serve logs one and can append it to a
// file). [VerifyWith] walks the chain with the keys and checkpoints and
// names the first broken record in a [*ChainError]; [Export] writes the
// records as JSON lines.
package audit
