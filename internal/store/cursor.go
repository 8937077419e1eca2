package store

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"faxgate/internal/model"
)

// List page sizes: the default when the caller gives none and the maximum.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// cursor is the position after the last row of a page, in the list order
// (time DESC, id DESC). It travels as opaque base64url text.
type cursor struct {
	at time.Time
	id string
}

func (c cursor) encode() string {
	raw := strconv.FormatInt(c.at.UnixMicro(), 10) + "." + c.id
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (cursor, error) {
	bad := model.Invalid("cursor", "malformed or expired cursor")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	micros, id, ok := strings.Cut(string(raw), ".")
	if !ok || id == "" || len(id) > 64 {
		return cursor{}, bad
	}
	n, err := strconv.ParseInt(micros, 10, 64)
	if err != nil || n < 0 {
		return cursor{}, bad
	}
	return cursor{at: time.UnixMicro(n).UTC(), id: id}, nil
}

// page describes one keyset-paginated query: base is "SELECT ... FROM t"
// (no WHERE), w holds the filters, timeCol/idCol are the order columns.
type page[T any] struct {
	base    string
	w       where
	timeCol string
	idCol   string
	scan    func(rowScanner) (T, error)
	key     func(T) cursor
}

// run fetches one page of up to o.Limit rows (normalised; newest first,
// oldest first when o.Ascending) plus one more to
// learn whether another page follows; it returns the rows and the next
// cursor ("" on the last page).
func (p page[T]) run(ctx context.Context, s *Store, o model.ListOptions) ([]T, string, error) {
	o = o.Normalize(DefaultLimit, MaxLimit)
	cmp, dir := "<", "DESC"
	if o.Ascending {
		cmp, dir = ">", "ASC"
	}
	if o.Cursor != "" {
		c, err := decodeCursor(o.Cursor)
		if err != nil {
			return nil, "", err
		}
		// A row-value comparison (both engines) lets the (…, time, id)
		// indexes seek straight to the position.
		p.w.add("("+p.timeCol+", "+p.idCol+") "+cmp+" (?, ?)", s.tv(c.at), c.id)
	}
	q := p.base + p.w.sql()
	q += " ORDER BY " + p.timeCol + " " + dir + ", " + p.idCol + " " + dir + " LIMIT " + p.w.arg(o.Limit+1)
	items, err := queryList(ctx, s, q, p.w.args, p.scan)
	if err != nil {
		return nil, "", err
	}
	if len(items) <= o.Limit {
		return items, "", nil
	}
	items = items[:o.Limit]
	return items, p.key(items[len(items)-1]).encode(), nil
}
