// Package appsetuptest drives appsetup's local page as a browser would,
// for tests of the manifest flow that need no browser.
package appsetuptest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Form is the first form of a page: where it posts and its fields.
type Form struct {
	Action string
	Fields url.Values
}

// ReadForm fetches page and returns its first form.
func ReadForm(ctx context.Context, hc *http.Client, page string) (Form, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
	if err != nil {
		return Form{}, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Form{}, fmt.Errorf("get %s: %w", page, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Form{}, fmt.Errorf("get %s: %s", page, resp.Status)
	}
	doc, err := html.Parse(resp.Body)
	if err != nil {
		return Form{}, fmt.Errorf("parse %s: %w", page, err)
	}
	var f *Form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "form" && f == nil:
				f = &Form{Action: attr(n, "action"), Fields: url.Values{}}
			case n.Data == "input" && f != nil && attr(n, "name") != "":
				f.Fields.Add(attr(n, "name"), attr(n, "value"))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if f == nil {
		return Form{}, errors.New("the page has no form")
	}
	return *f, nil
}

// Submit posts the page's first form, following redirects as a browser
// does, and returns the final page's status and body.
func Submit(ctx context.Context, hc *http.Client, page string) (int, string, error) {
	f, err := ReadForm(ctx, hc, page)
	if err != nil {
		return 0, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.Action, strings.NewReader(f.Fields.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("post the form to %s: %w", f.Action, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b), err
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
