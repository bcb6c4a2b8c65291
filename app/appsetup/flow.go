package appsetup

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configure [Run].
type Options struct {
	// Org is the organization that will own the App; empty registers it
	// for the signed-in user.
	Org string
	// Name is the App's name; PublicURL where zgate serve will be reached
	// (see [ManifestOptions]).
	Name, PublicURL string
	// WebURL is GitHub's web root ("https://github.com"); APIURL its REST
	// root ("https://api.github.com/").
	WebURL, APIURL string
	// Listener serves the local page; its address goes into the
	// manifest's redirect_url, so it must be reachable from the browser.
	Listener net.Listener
	// HTTPClient makes the code exchange; nil means a 30 s client.
	HTTPClient *http.Client
	// Ready is called with the local page's URL once it serves.
	Ready func(pageURL string)
	// Logger receives progress; nil discards.
	Logger *slog.Logger
}

// Credentials are what GitHub returns for a new App.
type Credentials struct {
	ID            int64  `json:"id"`
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	HTMLURL       string `json:"html_url"`
	PEM           string `json:"pem"`
	WebhookSecret string `json:"webhook_secret"`
	ClientID      string `json:"client_id"`
	ClientSecret  string `json:"client_secret"`
}

// LogValue keeps the secrets out of logs.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", c.ID), slog.String("slug", c.Slug), slog.String("client_id", c.ClientID))
}

// ErrState is returned when the redirect carries a state the page did
// not issue: another site tried to hand over a code.
var ErrState = errors.New("appsetup: state mismatch")

// Run serves the page on o.Listener until GitHub redirects back with a
// code, exchanges it and returns the new App's credentials. It stops
// when ctx ends.
func Run(ctx context.Context, o Options) (Credentials, error) {
	if o.Listener == nil {
		return Credentials{}, errors.New("appsetup: no listener")
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	state, err := randomState()
	if err != nil {
		return Credentials{}, err
	}
	local := "http://" + o.Listener.Addr().String()
	m := NewManifest(ManifestOptions{Name: o.Name, PublicURL: o.PublicURL, RedirectURL: local + "/callback"})
	manifest, err := json.Marshal(m)
	if err != nil {
		return Credentials{}, fmt.Errorf("appsetup: manifest: %w", err)
	}
	action := newAppURL(o.WebURL, o.Org, state)

	type result struct {
		c   Credentials
		err error
	}
	done := make(chan result, 1)
	finish := func(r result) {
		select {
		case done <- r:
		default:
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = pageTmpl.Execute(w, map[string]any{"Action": action, "Manifest": string(manifest), "Org": o.Org, "Name": o.Name})
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			http.Error(w, "This page did not start that registration (state mismatch).", http.StatusBadRequest)
			o.Logger.Warn("manifest redirect with a foreign state ignored")
			return
		}
		c, err := convert(r.Context(), o.HTTPClient, o.APIURL, q.Get("code"))
		if err != nil {
			http.Error(w, "zgate setup: "+err.Error(), http.StatusBadGateway)
			finish(result{err: err})
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = doneTmpl.Execute(w, c)
		finish(result{c: c})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(o.Listener) }()
	defer srv.Close()
	if o.Ready != nil {
		o.Ready(local + "/")
	}
	select {
	case r := <-done:
		// Let the browser get its answer page before the server goes.
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		return r.c, r.err
	case err := <-served:
		return Credentials{}, fmt.Errorf("appsetup: serve: %w", err)
	case <-ctx.Done():
		return Credentials{}, ctx.Err()
	}
}

// newAppURL is GitHub's form that registers an App from a manifest.
func newAppURL(web, org, state string) string {
	base := strings.TrimRight(web, "/")
	path := "/settings/apps/new"
	if org != "" {
		path = "/organizations/" + url.PathEscape(org) + path
	}
	return base + path + "?state=" + url.QueryEscape(state)
}

// maxConversion caps the conversion answer (a PEM and a few fields).
const maxConversion = 1 << 20

// convert exchanges the code for the App's credentials.
func convert(ctx context.Context, hc *http.Client, api, code string) (Credentials, error) {
	if code == "" {
		return Credentials{}, errors.New("GitHub's redirect carried no code")
	}
	u := strings.TrimRight(api, "/") + "/app-manifests/" + url.PathEscape(code) + "/conversions"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return Credentials{}, fmt.Errorf("exchange the code: %w", err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := hc.Do(req)
	if err != nil {
		return Credentials{}, fmt.Errorf("exchange the code: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxConversion))
	if err != nil {
		return Credentials{}, fmt.Errorf("exchange the code: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		return Credentials{}, fmt.Errorf("exchange the code: GitHub answered %s (a code works once, within an hour): %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var c Credentials
	if err := json.Unmarshal(body, &c); err != nil {
		return Credentials{}, fmt.Errorf("exchange the code: the answer is not the App's JSON: %w", err)
	}
	if c.ID <= 0 || c.PEM == "" || c.WebhookSecret == "" {
		return Credentials{}, errors.New("exchange the code: the answer lacks the App's id, pem or webhook_secret")
	}
	return c, nil
}

func randomState() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("appsetup: state: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>zgate setup</title></head>
<body>
<h1>Register the zgate GitHub App{{if .Org}} for {{.Org}}{{end}}</h1>
<p>GitHub will ask you to confirm the App's name ({{.Name}}), then send you back here.</p>
<form id="manifest" method="post" action="{{.Action}}">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button type="submit">Create the GitHub App on GitHub</button>
</form>
</body></html>
`))

var doneTmpl = template.Must(template.New("done").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>zgate setup: done</title></head>
<body>
<h1>The GitHub App {{.Name}} is registered</h1>
<p>zgate setup wrote its credentials; you can close this page. Next, install the App: <a href="{{.HTMLURL}}/installations/new">{{.HTMLURL}}/installations/new</a>.</p>
</body></html>
`))
