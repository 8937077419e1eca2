package store

import (
	"context"
	"strings"
	"time"

	"faxgate/internal/model"
)

// CDRFilter narrows the call detail records. Zero fields do not filter.
type CDRFilter struct {
	TenantID  string    // platform scope only
	From, To  time.Time // From <= started_at < To
	UserID    string
	Direction model.FaxDirection
	Status    model.AttemptStatus
	Cause     model.Cause
	Number    string // digits contained in the dialled, destination or caller number
	Ascending bool   // oldest first (default newest first)
}

// cdrCols are the attempt columns (qualified) followed by the fax's.
var cdrCols = qualify("a", attemptCols) + `, f.direction, f.status, f.source, f.title, f.user_id,
	COALESCE(u.email, ''), f.caller_id, f.to_number`

const cdrFrom = ` FROM attempts a JOIN faxes f ON f.id = a.fax_id LEFT JOIN users u ON u.id = f.user_id`

// qualify prefixes every column of a comma-separated list with alias.
func qualify(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

func scanCDR(r rowScanner) (model.CDR, error) {
	var c model.CDR
	// An inbound fax stores the caller in caller_id and our DID in
	// to_number, so (caller_id, to_number) is From -> To both ways.
	a, err := scanAttempt(appendScanner{r: r, extra: []any{&c.Direction, &c.FaxStatus, &c.Source, &c.Title,
		scanStr(&c.UserID), &c.UserEmail, &c.From, &c.To}})
	c.Attempt = a
	return c, err
}

func (s *Store) cdrWhere(scope model.Scope, f CDRFilter) (where, error) {
	var w where
	if err := w.scoped(scope, "a.tenant_id"); err != nil {
		return w, err
	}
	if f.TenantID != "" {
		w.add("a.tenant_id = ?", f.TenantID)
	}
	if !f.From.IsZero() {
		w.add("a.started_at >= ?", s.tv(f.From))
	}
	if !f.To.IsZero() {
		w.add("a.started_at < ?", s.tv(f.To))
	}
	if f.UserID != "" {
		w.add("f.user_id = ?", f.UserID)
	}
	if f.Direction != "" {
		w.add("f.direction = ?", string(f.Direction))
	}
	if f.Status != "" {
		w.add("a.status = ?", string(f.Status))
	}
	if f.Cause != "" {
		w.add("a.cause = ?", string(f.Cause))
	}
	if f.Number != "" {
		p := likePattern(f.Number)
		w.add(`(a.dialed_number LIKE ? ESCAPE '\' OR f.to_number LIKE ? ESCAPE '\' OR f.caller_id LIKE ? ESCAPE '\')`,
			p, p, p)
	}
	return w, nil
}

// ListCDRs returns one page of call detail records, newest first unless
// f.Ascending. The cursor is the next_cursor of the previous page.
func (s *Store) ListCDRs(ctx context.Context, scope model.Scope, f CDRFilter, o model.ListOptions) ([]model.CDR, string, error) {
	o = o.Normalize(DefaultLimit, MaxLimit)
	var after cursor
	if o.Cursor != "" {
		c, err := decodeCursor(o.Cursor)
		if err != nil {
			return nil, "", err
		}
		after = c
	}
	items, err := s.cdrBatch(ctx, scope, f, after, o.Limit+1)
	if err != nil || len(items) <= o.Limit {
		return items, "", err
	}
	items = items[:o.Limit]
	last := items[len(items)-1]
	return items, cursor{last.StartedAt, last.ID}.encode(), nil
}

// EachCDR calls fn for every record the filter selects, in list order. It
// reads in keyset batches, so memory stays bounded whatever the count and
// no transaction is held open between batches.
func (s *Store) EachCDR(ctx context.Context, scope model.Scope, f CDRFilter, fn func(model.CDR) error) error {
	const batch = 1000
	var after cursor
	for {
		items, err := s.cdrBatch(ctx, scope, f, after, batch)
		if err != nil {
			return err
		}
		for _, c := range items {
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(items) < batch {
			return nil
		}
		last := items[len(items)-1]
		after = cursor{last.StartedAt, last.ID}
	}
}

// cdrBatch reads up to limit records after the position (zero: from the
// start) in the filter's order.
func (s *Store) cdrBatch(ctx context.Context, scope model.Scope, f CDRFilter, after cursor, limit int) ([]model.CDR, error) {
	w, err := s.cdrWhere(scope, f)
	if err != nil {
		return nil, err
	}
	cmp, dir := "<", "DESC"
	if f.Ascending {
		cmp, dir = ">", "ASC"
	}
	if after.id != "" {
		w.add("(a.started_at, a.id) "+cmp+" (?, ?)", s.tv(after.at), after.id)
	}
	q := `SELECT ` + cdrCols + cdrFrom + w.sql() +
		` ORDER BY a.started_at ` + dir + `, a.id ` + dir + ` LIMIT ` + w.arg(limit)
	return queryList(ctx, s, q, w.args, scanCDR)
}
