// Package upkeep is the periodic housekeeping of `zgate serve`.
//
// [Redeliverer] asks GitHub again for webhook deliveries that failed:
// GitHub never redelivers by itself, and its documentation tells Apps to
// list their recent deliveries and request the failed ones again. A
// delivery lost to a restart, an outage or a 503 then still reaches the
// App. [Pruner] removes store rows that only grow: delivery ids kept for
// dedupe and check-run fingerprints of commits no longer evaluated. The
// audit log is never pruned. [Every] runs either at start and then on an
// interval.
package upkeep
