package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

// renderer renders the pages with the inline style and script their CSP
// header allows by hash.
type renderer struct {
	t   *template.Template
	css template.CSS
	js  template.JS
	// csp is the Content-Security-Policy of every page.
	csp string
}

func newRenderer() (*renderer, error) {
	css, err := assets.ReadFile("assets/style.css")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	js, err := assets.ReadFile("assets/countdown.js")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	t, err := template.New("web").Funcs(template.FuncMap{
		"rfc3339":   func(v any) string { return timeOf(v).UTC().Format(time.RFC3339) },
		"abs":       func(v any) string { return timeOf(v).UTC().Format("2006-01-02 15:04 UTC") },
		"short":     short,
		"join":      strings.Join,
		"countdown": func(now time.Time, v any) string { return countdown(timeOf(v).Sub(now)) },
	}).ParseFS(assets, "assets/templates.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse templates: %w", err)
	}
	r := &renderer{t: t, css: template.CSS(css), js: template.JS(js)}
	r.csp = "default-src 'none'; style-src " + hashSource(css) + "; script-src " + hashSource(js) +
		"; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	return r, nil
}

// hashSource is a CSP source allowing exactly the inline block b.
func hashSource(b []byte) string {
	sum := sha256.Sum256(b)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// view is what the templates see.
type view struct {
	Title     string
	CSS       template.CSS
	JS        template.JS
	Login     string
	Page      *Page
	SignInURL string
}

// render executes the named template into w, through a buffer so that a
// failure leaves nothing half written.
func (r *renderer) render(w io.Writer, name string, v view) error {
	v.CSS = r.css
	if name == "page" {
		v.JS = r.js
	}
	var buf bytes.Buffer
	if err := r.t.ExecuteTemplate(&buf, name, v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func timeOf(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case *time.Time:
		if t != nil {
			return *t
		}
	}
	return time.Time{}
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// countdown says how long until an instant d away, as the page's script
// does (assets/countdown.js), so the page reads the same without it.
func countdown(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	s := int64(d / time.Second)
	days, h, m := s/86400, s%86400/3600, s%3600/60
	switch {
	case days > 0:
		return fmt.Sprintf("in %dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("in %dh %dm", h, m)
	}
	return fmt.Sprintf("in %dm %ds", m, s%60)
}
