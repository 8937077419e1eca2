package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// Page size bounds (the store's).
const (
	defaultLimit = 50
	maxLimit     = 500
)

// query gives access to query parameters and refuses unknown ones, so a
// typo (?tennant_id=) is an error instead of a silently ignored filter.
type query struct {
	v     url.Values
	known map[string]bool
}

func newQuery(r *http.Request, names ...string) (query, error) {
	q := query{v: r.URL.Query(), known: map[string]bool{}}
	for _, n := range names {
		q.known[n] = true
	}
	for k := range q.v {
		if !q.known[k] {
			return q, &httpx.BadRequestError{Field: k, Message: "unknown query parameter " + strconv.Quote(k)}
		}
	}
	return q, nil
}

func (q query) get(name string) string { return q.v.Get(name) }

// page reads limit and cursor.
func (q query) page() (model.ListOptions, error) {
	o := model.ListOptions{Limit: defaultLimit, Cursor: q.get("cursor")}
	if s := q.get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return o, model.Invalid("limit", "must be a whole number from 1 to 500")
		}
		o.Limit = n
	}
	return o, nil
}

// tenantID reads ?tenant_id=: admins may name any tenant; others may only
// name their own, and any other id answers 404 like every foreign object.
func (q query) tenantID(actor model.Actor) (string, error) {
	id := q.get("tenant_id")
	if id != "" && !actor.Scope().Allows(id) {
		return "", model.ErrNotFound
	}
	return id, nil
}

// timeFormatHint explains the accepted time formats.
const timeFormatHint = "must be an RFC 3339 time (2025-01-31T12:00:00Z) or a day (2025-01-31)"

// timeParam reads an RFC 3339 time or a YYYY-MM-DD day (UTC); ok is false
// for anything else. endOfDay turns a day into the start of the next day
// (an inclusive "to" day).
func (q query) timeParam(name string, endOfDay bool) (t time.Time, ok bool) {
	s := q.get(name)
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, false
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1)
	}
	return d, true
}

func pathID(r *http.Request) string { return r.PathValue("id") }
