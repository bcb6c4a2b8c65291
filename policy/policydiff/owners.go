package policydiff

import (
	"slices"
	"strings"

	"github.com/zgate-dev/zgate/policy/codeowners"
)

// OwnerChange is one path that loses owners.
type OwnerChange struct {
	Path string
	// Removed are the owners the path had and no longer has.
	Removed []string
	// Unowned is true when the path has no owner left: a gate taking its
	// teams from CODEOWNERS then asks nobody about it.
	Unowned bool
}

// compareOwners lists, for each of files, the owners it loses from old
// to nu (a nil file owns nothing). A path that gains owners, or only
// changes the order, is not listed: it asks for at least as much.
func compareOwners(old, nu *codeowners.File, files []string) ([]OwnerChange, int) {
	var out []OwnerChange
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if seen[f] {
			continue
		}
		seen[f] = true
		o, _ := old.Owners(f)
		if len(o) == 0 {
			continue
		}
		n, _ := nu.Owners(f)
		var removed []string
		for _, ow := range o {
			if !containsFold(n, ow) {
				removed = append(removed, ow)
			}
		}
		if len(removed) > 0 {
			out = append(out, OwnerChange{Path: f, Removed: removed, Unowned: len(n) == 0})
		}
	}
	slices.SortFunc(out, func(a, b OwnerChange) int {
		switch {
		case a.Path < b.Path:
			return -1
		case a.Path > b.Path:
			return 1
		}
		return 0
	})
	return out, len(seen)
}

// containsFold: GitHub logins and team slugs are case-insensitive.
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
