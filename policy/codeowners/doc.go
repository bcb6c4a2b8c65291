// Package codeowners parses CODEOWNERS files and matches paths against them
// with GitHub's semantics: [Parse] reads a file (skipping invalid lines as
// GitHub does, and naming each in a [ProblemList]), [File.Rule] and
// [File.Owners] find the last matching rule of a path, and [CompilePattern]
// compiles one gitignore-style [Pattern] on its own (zgate's `if.paths`
// uses it too).
//
// Matching is indexed: [Parse] files every pattern in an index by its
// literal names, extensions, prefixes and segment trie, so a lookup costs a
// few map probes rather than a scan of every rule; the linear scan GitHub
// describes is kept in the tests as the reference the index is checked
// against, differentially and by fuzzing.
//
// The package imports nothing else of zgate's and does no I/O: package
// policy uses it for the gates that take their teams from CODEOWNERS, and
// `zgate owners` and the App's fact gathering call it directly.
package codeowners
