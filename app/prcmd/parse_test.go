package prcmd

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		want   Command
		wantOK bool
	}{
		{"recheck", "/zgate recheck", Command{Name: Recheck}, true},
		{"explain with blanks", "  /zgate   explain  \n", Command{Name: Explain}, true},
		{"override with reason", "/zgate override db is down", Command{Name: Override, Args: "db is down"}, true},
		{"tab after prefix", "/zgate\trecheck", Command{Name: Recheck}, true},
		{"bare prefix", "/zgate", Command{}, true},
		{"unknown", "/zgate merge-now please", Command{Name: "merge-now", Args: "please"}, true},
		{"case matters", "/zgate Recheck", Command{Name: "Recheck"}, true},
		{"second line", "thanks!\n/zgate explain\n/zgate recheck", Command{Name: Explain}, true},
		{"CRLF", "hi\r\n/zgate recheck\r\n", Command{Name: Recheck}, true},
		{"quoted", "> /zgate recheck", Command{}, false},
		{"longer word", "/zgateway recheck", Command{}, false},
		{"mid-line", "please /zgate recheck", Command{}, false},
		{"no command", "LGTM", Command{}, false},
		{"empty", "", Command{}, false},
		{"long name clipped", "/zgate " + strings.Repeat("é", 30), Command{Name: strings.Repeat("é", 20)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Parse(tc.body)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", tc.body, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestKnown(t *testing.T) {
	for _, name := range []string{Recheck, Explain, Override} {
		if !(Command{Name: name}).Known() {
			t.Errorf("%q not known", name)
		}
	}
	for _, name := range []string{"", "Recheck", "help"} {
		if (Command{Name: name}).Known() {
			t.Errorf("%q known, want unknown", name)
		}
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	got := Help("me`rge @everyone")
	for _, want := range []string{"`/zgate recheck`", "`/zgate explain`", "`/zgate override <reason>`", "Unknown command `/zgate merge @everyone`"} {
		if !strings.Contains(got, want) {
			t.Errorf("Help() = %q, want it to contain %q", got, want)
		}
	}
	if !strings.Contains(Help(""), "needs a command") {
		t.Errorf("Help(\"\") = %q, want it to say a command is needed", Help(""))
	}
}
