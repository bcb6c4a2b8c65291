package facts

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/zgate-dev/zgate/app/ghjson"
)

// BenchmarkCompactDecode measures decoding the REST answers getCompact
// reads on every evaluation whose answer changed (the pull request, a
// page of 30 reviews, its files, its commits), as the simulator renders
// them, into their compact types: with ghjson (what getCompact uses) and,
// for comparison, encoding/json.
func BenchmarkCompactDecode(b *testing.B) {
	w := newWorld(b, nil, nil)
	for i := range 30 {
		if _, err := w.env.Sim.SubmitReview(owner, repoName, w.pr, []string{"bob", "carol"}[i%2], "COMMENT", "a review body of some length, as people write them"); err != nil {
			b.Fatal(err)
		}
	}
	answers := []struct {
		name   string
		path   string
		decode func(func([]byte, any) error, []byte) error
	}{
		{"pull", "pulls/%d", decodeInto[pullFacts]},
		{"reviews", "pulls/%d/reviews", decodeInto[[]reviewFacts]},
		{"files", "pulls/%d/files", decodeInto[[]struct {
			Filename         string `json:"filename"`
			PreviousFilename string `json:"previous_filename"`
			ContentsURL      string `json:"contents_url"`
		}]},
		{"commits", "pulls/%d/commits", decodeInto[[]commitFacts]},
	}
	for _, a := range answers {
		body := rawAnswer(b, w, fmt.Sprintf("repos/%s/%s/"+a.path, owner, repoName, w.pr))
		for _, d := range []struct {
			name      string
			unmarshal func([]byte, any) error
		}{{"ghjson", ghjson.Unmarshal}, {"encoding-json", json.Unmarshal}} {
			b.Run("answer="+a.name+"/decoder="+d.name, func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for range b.N {
					if err := a.decode(d.unmarshal, body); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func decodeInto[T any](unmarshal func([]byte, any) error, body []byte) error {
	return unmarshal(body, new(T))
}
