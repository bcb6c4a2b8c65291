package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOneLine(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{name: "short", in: "Open: 2 of 2", n: 140, want: "Open: 2 of 2"},
		{name: "exact", in: "abcde", n: 5, want: "abcde"},
		{name: "cut with ellipsis", in: "abcdef", n: 5, want: "abcd…"},
		{name: "multi-line becomes one line", in: "a\nb\t c", n: 140, want: "a b c"},
		{name: "runes, not bytes", in: "éééééé", n: 3, want: "éé…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OneLine(tt.in, tt.n); got != tt.want {
				t.Errorf("OneLine(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
	long := strings.Repeat("abcé ", 50)
	if got := utf8.RuneCountInString(OneLine(long, MaxStatusDescription)); got != MaxStatusDescription {
		t.Errorf("OneLine(long) has %d runes, want %d", got, MaxStatusDescription)
	}
}
