// Package ghjson decodes the JSON that GitHub sends zgate, webhook payloads
// and REST answers, into the compact types its callers declare (only the
// fields they read).
//
// It uses github.com/go-json-experiment/json, the prototype of
// encoding/json/v2 (the same code as the standard library's from Go 1.27),
// not encoding/json: v1 scans the whole input once to validate it, then
// again to decode, rescanning every member it skips, which made decoding
// most of the CPU of a webhook delivery (a 25 KB review payload, a 15-30
// KB check_run payload of zgate's own run). v2 validates as it decodes,
// in one pass, and skips unknown members without decoding them.
//
// The options, chosen for JSON that only GitHub produces (payloads are
// authenticated by their HMAC signature, REST answers come over TLS from
// GitHub's API):
//
//   - Names match exactly (v2's default). GitHub's names are lower-case
//     snake_case; v1's case-insensitive matching would let "Login" or
//     "LOGIN" stand in for "login", which GitHub never sends.
//   - Duplicate names are allowed, the last one winning, as in v1. GitHub's
//     serializers never emit them, so rejecting them protects nothing, and
//     v2's check keeps a set of the names of every object: 40 KB and 340
//     allocations per review payload, as slow as v1 in all.
//   - Invalid UTF-8 in strings is replaced by U+FFFD, as v1 does, rather
//     than rejected: a stray byte in a title or a review body must not turn
//     a delivery into a 400 that loses the event.
//
// Everything else is strict: a body that is not JSON (trailing data, bad
// escapes, a truncated value) and a member read with the wrong type are
// errors, as they are for v1. The fuzz tests check both points against
// encoding/json.
package ghjson
