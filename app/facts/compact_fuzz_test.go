package facts

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/zgate-dev/zgate/app/ghjson"
	"github.com/zgate-dev/zgate/app/ghjson/ghjsontest"
)

// FuzzCompactDecode: getCompact's decoder (ghjson) gives what
// encoding/json gives, or both fail, for the compact types of the REST
// answers it reads, seeded with the simulator's answers.
func FuzzCompactDecode(f *testing.F) {
	w := newWorld(f, nil, nil)
	for _, u := range []string{"pulls/%d", "pulls/%d/reviews", "pulls/%d/files", "pulls/%d/commits"} {
		f.Add(rawAnswer(f, w, fmt.Sprintf("repos/%s/%s/"+u, owner, repoName, w.pr)))
	}
	f.Add([]byte(`{"number":1,"head":{"sha":7},"updated_at":"2024-01-01T00:00:00Z"}`))
	f.Add([]byte(`[{"id":1,"user":{"login":"bob"},"state":"APPROVED","submitted_at":"not a time"}]`))
	f.Add([]byte(`{"Number":1,"HEAD":{"sha":"x"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ghjsontest.Same[pullFacts](t, data, ghjson.Unmarshal)
		ghjsontest.Same[[]reviewFacts](t, data, ghjson.Unmarshal)
		ghjsontest.Same[[]commitFacts](t, data, ghjson.Unmarshal)
		ghjsontest.Same[[]struct {
			Filename         string `json:"filename"`
			PreviousFilename string `json:"previous_filename"`
			ContentsURL      string `json:"contents_url"`
		}](t, data, ghjson.Unmarshal)
	})
}

// rawAnswer returns the body the simulator answers a GET of u with.
func rawAnswer(tb testing.TB, w *world, u string) []byte {
	tb.Helper()
	req, err := w.gh.NewRequest("GET", u, nil)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.gh.Do(context.Background(), req, &buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
