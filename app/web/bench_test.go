package web

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/zgate-dev/zgate/app/facts"
)

// BenchmarkRenderPage renders the page of a pull request of 3,000 changed
// files and 100 reviews under 5 gates: the page as HTML and as JSON from
// the decision, and the whole in-process cost of a view (evaluate, build,
// HTML) once GitHub's answers come from the caches.
func BenchmarkRenderPage(b *testing.B) {
	in := fixture(b, 3000, 100, 5)
	r, err := newRenderer()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("html", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := Build(in)
			if err := r.render(io.Discard, "page", view{Page: &p}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := Build(in)
			if err := json.NewEncoder(io.Discard).Encode(p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("evaluate+html", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			in.Decision = facts.Evaluate(in.Res, in.Now)
			p := Build(in)
			if err := r.render(io.Discard, "page", view{Page: &p}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
