package githubsim

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Page sizes of GitHub's REST API.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

func itoa[T int | int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// paginate returns the slice bounds of the requested page of n items and
// sets GitHub's Link header (first, prev, next, last) on resp.
func paginate(q *request, n int, resp *response) (lo, hi int) {
	perPage, err := strconv.Atoi(q.query("per_page"))
	if err != nil || perPage < 1 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	page, err := strconv.Atoi(q.query("page"))
	if err != nil || page < 1 {
		page = 1
	}
	last := max(1, (n+perPage-1)/perPage)
	lo = min(n, (page-1)*perPage)
	hi = min(n, lo+perPage)

	var links []string
	add := func(p int, rel string) {
		links = append(links, fmt.Sprintf("<%s>; rel=%q", pageURL(q.r, p, perPage), rel))
	}
	if page > 1 {
		add(min(page-1, last), "prev")
	}
	if page < last {
		add(page+1, "next")
		add(last, "last")
	}
	if page > 1 {
		add(1, "first")
	}
	if len(links) > 0 {
		if resp.header == nil {
			resp.header = http.Header{}
		}
		resp.header.Set("Link", strings.Join(links, ", "))
	}
	return lo, hi
}

// pageURL is the absolute URL of r with page (and per_page) replaced.
func pageURL(r *http.Request, page, perPage int) string {
	v := r.URL.Query()
	v.Set("page", strconv.Itoa(page))
	v.Set("per_page", strconv.Itoa(perPage))
	return absURL(r, v)
}

// absURL is the absolute URL of r's path with query v.
func absURL(r *http.Request, v url.Values) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: v.Encode()}
	return u.String()
}

// pageOf returns the page of items selected by the request.
func pageOf[T any](q *request, items []T, resp *response) []T {
	lo, hi := paginate(q, len(items), resp)
	out := items[lo:hi]
	if out == nil {
		out = []T{}
	}
	return out
}

// pageMap is pageOf with each item of the page turned into its JSON
// object by obj.
func pageMap[T, O any](q *request, items []T, resp *response, obj func(T) O) []O {
	page := pageOf(q, items, resp)
	out := make([]O, 0, len(page))
	for _, it := range page {
		out = append(out, obj(it))
	}
	return out
}
