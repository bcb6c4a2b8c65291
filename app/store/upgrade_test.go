package store

import (
	"regexp"
	"strings"
	"testing"
)

// TestMigrationsKeepOldReplicasWorking: a rolling upgrade migrates the
// database while replicas of the previous version still serve
// (docs/deploy.md, "Upgrading"). So after the first migration, a
// migration may add tables, indexes, and columns that are nullable or
// have a default, and fill data; it may not take away or change what the
// previous version reads and writes.
func TestMigrationsKeepOldReplicasWorking(t *testing.T) {
	forbidden := []struct {
		re  *regexp.Regexp
		why string
	}{
		{regexp.MustCompile(`(?i)\bDROP\s+(TABLE|COLUMN|VIEW)\b`), "drops what the previous version uses"},
		{regexp.MustCompile(`(?i)\bALTER\s+TABLE\s+\S+\s+DROP\b`), "drops what the previous version uses"},
		{regexp.MustCompile(`(?i)\bRENAME\b`), "renames what the previous version uses"},
		{regexp.MustCompile(`(?i)\bALTER\s+(TABLE\s+\S+\s+ALTER\s+)?COLUMN\b`), "changes a column the previous version writes"},
		{regexp.MustCompile(`(?i)\bADD\s+CONSTRAINT\b`), "adds a constraint the previous version's writes may break"},
	}
	addColumn := regexp.MustCompile(`(?i)\bADD\s+COLUMN\b(.*)`)
	for _, e := range []engine{engineSQLite, enginePostgres} {
		ms, err := migrations(e)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms[1:] {
			for _, stmt := range splitStatements(m.sql) {
				for _, f := range forbidden {
					if f.re.MatchString(stmt) {
						t.Errorf("%s: %q %s", m.name, firstLine(stmt), f.why)
					}
				}
				for _, add := range addColumn.FindAllStringSubmatch(stmt, -1) {
					col := strings.ToUpper(add[1])
					if strings.Contains(col, "NOT NULL") && !strings.Contains(col, "DEFAULT") {
						t.Errorf("%s: %q adds a NOT NULL column without a default: the previous version's inserts would fail", m.name, firstLine(stmt))
					}
				}
			}
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
