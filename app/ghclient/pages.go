package ghclient

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// GitHub's page sizes: per_page defaults to 30 and is capped at 100.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// notList marks a cached body that is not one page of a list.
const notList = -1

// Why pages need care: GitHub's ETag covers a page's body only, and a
// caller learns that a list goes on from the page's Link header. When a
// list of exactly one full page (or k full pages) grows, the last page's
// body is unchanged, GitHub answers its If-None-Match with 304, and the
// Link header stored with the cached 200 still says the list ends there
// (a 304 carries no Link header that could be trusted to say otherwise:
// GitHub does not promise one). Every item past that page, a veto on a
// pull request's 101st review for one, would go unseen for good.
//
// So a page answered from the cache never decides on its own that a list
// has ended: a full page (as many items as the request's per_page, or
// GitHub's default) whose stored Link has no rel="next" is asked for again
// without If-None-Match, and GitHub's fresh answer, with its fresh Link
// header, decides. A page that is not full ends the list (GitHub appends
// to the last page, changing its body and its ETag), as does a full page
// whose stored Link names a next one (the caller reads on anyway). This
// holds for bare JSON arrays and for lists wrapped in an object
// ({"total_count": n, "check_runs": [...]}), for page numbers and cursors
// alike, because it asks GitHub rather than guessing the next page's URL.
// The price is one rate-limited call per read of a list whose length is an
// exact multiple of its page size.

// pageItems returns the number of items in body when it is one page of a
// list, or notList. A list is a bare JSON array, or an object holding a
// top-level array when the request or the response shows it is paged (a
// per_page or page parameter, a Link header, a total_count field, or the
// array is the object's only field); the largest top-level array counts.
// It scans rather than decodes: every cached 200 passes through here.
func pageItems(u *url.URL, h http.Header, body []byte) int {
	sc := scanner{b: body}
	sc.space()
	switch sc.peek() {
	case '[':
		n, ok := sc.array()
		if !ok || !sc.end() {
			return notList
		}
		return n
	case '{':
		f, ok := sc.object()
		if !ok || !sc.end() || f.maxArray == notList {
			return notList
		}
		q := u.Query()
		if f.total || f.fields == 1 || q.Has("per_page") || q.Has("page") || h.Get("Link") != "" {
			return f.maxArray
		}
	}
	return notList
}

// perPage is the page size GitHub uses for a request to u.
func perPage(u *url.URL) int {
	n, err := strconv.Atoi(u.Query().Get("per_page"))
	if err != nil || n < 1 {
		return defaultPerPage
	}
	return min(n, maxPerPage)
}

// servable reports whether the cached response e may answer a request
// to u after a 304: it is not a page of a list, the page is not full, or
// its stored Link names a next page (so the caller reads on).
func (e *etagEntry) servable(u *url.URL) bool {
	if e.items == notList || e.items < perPage(u) {
		return true
	}
	return hasNextLink(e.header)
}

// hasNextLink reports whether a Link header names a rel="next" page. Only
// what follows a link's closing '>' is read as parameters, so nothing in
// a URL (commas, semicolons, "rel=next" in a query) can pass for one.
func hasNextLink(h http.Header) bool {
	for _, v := range h.Values("Link") {
		for _, link := range strings.Split(v, ",") {
			end := strings.LastIndexByte(link, '>')
			if end < 0 {
				continue // a piece of a URL that holds a comma
			}
			for _, param := range strings.Split(link[end+1:], ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(param), "=")
				if !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return true
					}
				}
			}
		}
	}
	return false
}
