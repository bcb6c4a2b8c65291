// Package store keeps zgate's durable state: webhook deliveries (for
// dedupe), the per-PR job queue with its timers, Z executions (so Z runs
// once), check-run fingerprints and the audit log.
//
// One contract, two engines, chosen by the DSN given to [Open]:
//   - "sqlite:PATH" or "sqlite::memory:": embedded SQLite (modernc.org/sqlite,
//     no cgo) in WAL mode with a busy timeout, foreign keys on and
//     synchronous=FULL (a commit survives a power cut: Z's intent must)
//     but for lazy commits (see below).
//     One process writes through a single connection, and transactions
//     begin IMMEDIATE, so writers are serialised and never deadlock on a
//     lock upgrade; reads go to a pool of read-only connections, which WAL
//     lets run beside the writer (an in-memory database has only the one
//     connection). Statements are prepared once per connection pool.
//   - "postgres://..." or "postgresql://...": PostgreSQL through pgx, for
//     several replicas. [Store.Claim] uses FOR UPDATE SKIP LOCKED and
//     [Store.AppendAudit] holds a transaction-scoped advisory lock, so the
//     audit chain never forks.
//
// A webhook event costs at most three write transactions ([Store.Commits]
// counts them): [Store.Intake] (pushers, jobs and delivery id),
// [Store.Claim], and [Store.Settle], which commits what the evaluation
// staged in a [Finish] (check-run fingerprints, audit records, the next
// run's timer) with the job's settlement; a busy worker settles with
// [Store.SettleAndClaim], which claims its next job in the same
// transaction, so under load an event costs two. Those commit lazily
// unless the delivery names pushers, commands or deployments: a power cut
// may lose them (a crash of zgate does not), and the sweep at start
// rebuilds what they held; Z's intent and everything GitHub cannot give
// back commit durably, and [Store.Sync] makes every commit before it
// durable (see durability.go).
//
// The schema is migrated on Open from embedded, numbered SQL files, recorded
// in schema_migrations. Every time is stored as integer microseconds since
// the Unix epoch (UTC), identical on both engines; times read back are UTC.
//
// The package storetest holds the conformance suite both engines pass.
package store
