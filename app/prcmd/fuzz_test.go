package prcmd

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks Parse never panics and keeps its promises: a command
// comes from a line starting with the prefix, its name is one field of at
// most MaxName bytes of valid UTF-8 (when the input is), and parsing the
// rendered command gives it back.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"/zgate recheck", "/zgate", "/zgate override why\nx", "> /zgate explain", "/zgateway", "a\n  /zgate\texplain  ", "/zgate " + strings.Repeat("x", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		c, ok := Parse(body)
		if !ok {
			if c != (Command{}) {
				t.Fatalf("Parse(%q) = %+v, false; want the zero command", body, c)
			}
			return
		}
		if !strings.Contains(body, Prefix) {
			t.Fatalf("Parse(%q) found a command without the prefix", body)
		}
		if len(c.Name) > MaxName || strings.ContainsAny(c.Name, " \t\r\n") {
			t.Fatalf("Parse(%q).Name = %q: longer than %d or not one field", body, c.Name, MaxName)
		}
		if utf8.ValidString(body) && !utf8.ValidString(c.Name) {
			t.Fatalf("Parse(%q).Name = %q is not valid UTF-8", body, c.Name)
		}
		if len(c.Name) < MaxName && !strings.ContainsAny(c.Args, "\r\n") {
			line := Prefix
			if c.Name != "" {
				line += " " + c.Name
				if c.Args != "" {
					line += " " + c.Args
				}
			}
			if again, ok := Parse(line); !ok || again != c {
				t.Fatalf("Parse(%q) = %+v, but Parse of its rendering %q = %+v, %v", body, c, line, again, ok)
			}
		}
	})
}
