package app

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/web"
)

// WebOptions configure the gate details page (package web,
// docs/details-page.md).
type WebOptions struct {
	// PublicURL is where people reach zgate ("https://zgate.example.com").
	// When set, every check run links to its pull request's page; empty:
	// no link.
	PublicURL string
	// OAuthClientID and OAuthClientSecret are the App's, for "Sign in with
	// GitHub" on pages of private and internal repositories; without them
	// only public repositories have pages. They need PublicURL.
	OAuthClientID     string
	OAuthClientSecret Secret
	// SessionTTL bounds a sign-in; 0 means web.DefaultSessionTTL.
	SessionTTL time.Duration
}

// check refuses settings that cannot work.
func (w *WebOptions) check() error {
	if w.PublicURL != "" {
		u, err := url.Parse(w.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("%w: the public URL %q must be an absolute http(s) URL", ErrConfig, w.PublicURL)
		}
	}
	if (w.OAuthClientID == "") != (len(w.OAuthClientSecret) == 0) {
		return fmt.Errorf("%w: give both the OAuth client id and its secret, or neither", ErrConfig)
	}
	if w.OAuthClientID != "" && w.PublicURL == "" {
		return fmt.Errorf("%w: sign-in with GitHub needs the public URL (--public-url), for its callback", ErrConfig)
	}
	if w.SessionTTL < 0 {
		return fmt.Errorf("%w: the session TTL %s is negative", ErrConfig, w.SessionTTL)
	}
	return nil
}

// detailsURL is the engine's DetailsURL hook: nil without a public URL.
func (w WebOptions) detailsURL() func(store.PRKey) string {
	if w.PublicURL == "" {
		return nil
	}
	return func(k store.PRKey) string { return web.DetailsURL(w.PublicURL, k.Owner, k.Repo, k.Number) }
}

// withWeb serves the details page and its sign-in beside next (webhooks,
// health, metrics).
func withWeb(o Options, apps *ghclient.Apps, g *facts.Gatherer, st *store.Store, next http.Handler) (http.Handler, error) {
	h, err := web.New(web.Config{
		PublicURL: o.Web.PublicURL, GitHubURL: o.GitHubURL,
		OAuthClientID: o.Web.OAuthClientID, OAuthClientSecret: string(o.Web.OAuthClientSecret), SessionTTL: o.Web.SessionTTL,
		Clients: apps, Gatherer: g, Store: st,
		HTTPClient: &http.Client{Transport: o.Transport, Timeout: 15 * time.Second},
		Logger:     o.Logger, Now: o.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", next)
	for _, p := range web.Routes {
		mux.Handle(p, h)
	}
	return mux, nil
}
