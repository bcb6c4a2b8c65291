package app

import (
	"testing"

	"github.com/zgate-dev/zgate/app/store"
)

// TestWebDetailsURL: without a public URL the engine sets no details_url,
// as before; with one, each check links to its pull request's page.
func TestWebDetailsURL(t *testing.T) {
	if f := (WebOptions{}).detailsURL(); f != nil {
		t.Errorf("detailsURL without a public URL = %q, want no hook", f(store.PRKey{Owner: "a", Repo: "b", Number: 1}))
	}
	f := (WebOptions{PublicURL: "https://zgate.example.com/"}).detailsURL()
	if got, want := f(store.PRKey{Owner: "acme", Repo: "payments", Number: 7}), "https://zgate.example.com/gates/acme/payments/7"; got != want {
		t.Errorf("detailsURL = %q, want %q", got, want)
	}
}
