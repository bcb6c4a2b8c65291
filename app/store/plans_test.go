package store_test

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

// TestSQLiteQueryPlans runs the conformance suite, then asks SQLite how it
// runs each statement the suite prepared, and fails on a statement that
// reads a whole table or every row of a repository where its key was
// given. Without statistics (zgate runs no ANALYZE) SQLite picks indexes
// by shape alone, and a wrong pick costs nothing in a test with ten rows
// but O(rows) per evaluation with thousands of pull requests.
func TestSQLiteQueryPlans(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]bool{}
	t.Run("suite", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) *store.Store {
			s := openSQLite(t, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
			store.OnPrepare(s, func(q string) {
				mu.Lock()
				seen[q] = true
				mu.Unlock()
			})
			return s
		})
	})
	s := openSQLite(t, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	defer s.Close()
	qs := make([]string, 0, len(seen))
	for q := range seen {
		qs = append(qs, q)
	}
	sort.Strings(qs)
	if len(qs) < 20 {
		t.Fatalf("the suite prepared %d statements; want the whole store's", len(qs))
	}
	for _, q := range qs {
		plan, err := store.QueryPlan(t.Context(), s, q)
		if err != nil {
			t.Fatal(err)
		}
		if why := badPlan(q, plan); why != "" {
			t.Errorf("%s\n  plan: %s\n  query: %s", why, strings.Join(plan, " | "), oneLine(q))
		} else if testing.Verbose() {
			t.Logf("plan: %s\n  query: %s", strings.Join(plan, " | "), oneLine(q))
		}
	}
}

var (
	fullScan    = regexp.MustCompile(`^SCAN (\w+)$`)
	repoOnly    = regexp.MustCompile(`^SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \((?:repo_id=\?|owner=\? AND repo=\?)\)$`)
	keyColumns  = regexp.MustCompile(`\b(number|head_sha|sha)\s*=`)
	scanAllowed = map[string]bool{"schema_migrations": true}
	// Statements meant to read a whole table: upkeep's prunes and the
	// CLI's listings run now and then, not per event; the audit log's
	// newest record is the last row of the rowid order (LIMIT 1).
	wholeListing = []string{
		"DELETE FROM jobs WHERE token IS NULL AND attempt >=",
		"FROM executions ORDER BY created_us, id",
		"FROM audit ORDER BY seq DESC LIMIT 1",
	}
)

// badPlan says what is wrong with plan for q, "" when nothing is.
func badPlan(q string, plan []string) string {
	for _, step := range plan {
		if m := fullScan.FindStringSubmatch(step); m != nil && !scanAllowed[m[1]] && !listing(q) {
			return "reads the whole table " + m[1]
		}
		if m := repoOnly.FindStringSubmatch(step); m != nil && keyColumns.MatchString(q) {
			return "reads every row of the repository in " + m[1] + " though the query names a pull request or commit"
		}
	}
	return ""
}

func listing(q string) bool {
	for _, l := range wholeListing {
		if strings.Contains(q, l) {
			return true
		}
	}
	return false
}

func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }
