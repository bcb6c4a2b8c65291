// Package store keeps zgate's durable state: webhook deliveries (for
// dedupe), the per-PR job queue with its timers, Z executions (so Z runs
// once), check-run fingerprints and the audit log.
//
// One contract, two engines, chosen by the DSN given to [Open]:
//   - "sqlite:PATH" or "sqlite::memory:": embedded SQLite (modernc.org/sqlite,
//     no cgo) in WAL mode with a busy timeout, foreign keys on and
//     synchronous=FULL (a commit survives a power cut: Z's intent must).
//     One process uses a single connection, and transactions begin
//     IMMEDIATE, so writers are serialised and never deadlock on a lock
//     upgrade. Statements are prepared once per Store.
//   - "postgres://..." or "postgresql://...": PostgreSQL through pgx, for
//     several replicas. [Store.Claim] uses FOR UPDATE SKIP LOCKED and
//     [Store.AppendAudit] holds a transaction-scoped advisory lock, so the
//     audit chain never forks.
//
// The schema is migrated on Open from embedded, numbered SQL files, recorded
// in schema_migrations. Every time is stored as integer microseconds since
// the Unix epoch (UTC), identical on both engines; times read back are UTC.
//
// The package storetest holds the conformance suite both engines pass.
package store
