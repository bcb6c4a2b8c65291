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
// changes the order, is not listed: it asks for at least as much. files
// hold each path once, as a git tree lists them.
func compareOwners(old, nu *codeowners.File, files []string) ([]OwnerChange, int) {
	var out []OwnerChange
	for _, f := range files {
		or, ok := old.Rule(f)
		if !ok || len(or.Owners) == 0 {
			continue
		}
		nr, _ := nu.Rule(f)
		var removed []string
		for _, ow := range or.Owners {
			if !containsFold(nr.Owners, ow) {
				removed = append(removed, ow)
			}
		}
		if len(removed) > 0 {
			out = append(out, OwnerChange{Path: f, Removed: removed, Unowned: len(nr.Owners) == 0})
		}
	}
	slices.SortFunc(out, func(a, b OwnerChange) int { return strings.Compare(a.Path, b.Path) })
	return out, len(files)
}

// containsFold: GitHub logins and team slugs are case-insensitive.
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
