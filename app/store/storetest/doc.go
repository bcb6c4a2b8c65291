// Package storetest is the conformance suite every store engine passes, in
// the manner of testing/slogtest: [Run] takes a function opening a fresh,
// empty store and checks the behaviour of each method of store.Store,
// including claim exclusivity, execution uniqueness and the audit chain
// under concurrency.
package storetest
