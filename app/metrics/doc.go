// Package metrics holds zgate's Prometheus collectors. [New] registers them
// on an injected prometheus.Registerer, so tests and several App instances
// in one process never share state; there are no package-level collectors.
package metrics
