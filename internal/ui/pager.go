package ui

import (
	"net/http"
	"net/url"
	"strconv"

	"faxgate/internal/model"
)

// pageSize is the number of rows per list page.
const pageSize = 25

// pager holds the links of cursor pagination: lists are newest first and
// a cursor only walks forward, so the links are "first page" and "next".
type pager struct {
	First string // "" on the first page
	Next  string // "" on the last page
}

// newPager builds the links from the current URL (keeping its filters) and
// the next cursor the store returned.
func newPager(r *http.Request, next string) pager {
	var p pager
	q := r.URL.Query()
	for k, vs := range q {
		if len(vs) == 0 || vs[0] == "" {
			q.Del(k)
		}
	}
	if q.Get("cursor") != "" {
		q.Del("cursor")
		p.First = pageURL(r.URL.Path, q)
	}
	if next != "" {
		q.Set("cursor", next)
		p.Next = pageURL(r.URL.Path, q)
	}
	return p
}

// listOrder is the list order the request asks for: "asc" (oldest first)
// or "" (newest first, the default).
func listOrder(r *http.Request) string {
	if r.URL.Query().Get("order") == "asc" {
		return "asc"
	}
	return ""
}

func pageURL(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// listOptions reads the cursor, the order (order=asc: oldest first) and an
// optional limit (1..100) of a list request.
func listOptions(r *http.Request) model.ListOptions {
	o := model.ListOptions{Limit: pageSize, Cursor: r.URL.Query().Get("cursor"), Ascending: listOrder(r) == "asc"}
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 && n <= 100 {
		o.Limit = n
	}
	return o
}
