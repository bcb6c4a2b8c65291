package policy

import "testing"

func TestParseRequestReviews(t *testing.T) {
	tests := []struct {
		name, value string
		want        RequestReviews
	}{
		{"absent", "", ""},
		{"teams", "request_reviews: teams", RequestReviewsTeams},
		{"off", "request_reviews: off", RequestReviewsOff},
		{"quoted off", `request_reviews: "off"`, RequestReviewsOff},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "version: 1\ngates:\n  - name: prod\n    controls:\n      teams:\n        from: [\"@acme/sre\"]\n    " + tc.value + "\n"
			p, err := Parse("zgate.yml", []byte(src))
			if err != nil {
				t.Fatalf("Parse() = %v", err)
			}
			if got := p.Gates[0].RequestReviews; got != tc.want {
				t.Errorf("RequestReviews = %q, want %q", got, tc.want)
			}
		})
	}
}
