package githubsim

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// etagOf is the weak ETag of a response body, as GitHub sends.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:16]) + `"`
}

// matchesETag reports whether an If-None-Match header names tag; weak
// and strong forms of the same tag match (weak comparison, RFC 9110).
func matchesETag(header, tag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
