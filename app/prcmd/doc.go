// Package prcmd parses the PR commands people give zgate by comment
// ("/zgate recheck", "/zgate explain", "/zgate override <reason>") and
// words the list of them. It does no I/O: app/server records the
// commands of new comments and app/engine answers them.
package prcmd
