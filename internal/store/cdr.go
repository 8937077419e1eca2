package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"strconv"
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
	Number    string  // digits contained in the dialled, destination or caller number
	Sort      CDRSort // the column to order by (default CDRByStarted)
	Ascending bool    // smallest first (default largest, i.e. newest, first)
}

// CDRSort is a column call detail records can be ordered by. Every order
// breaks ties by the attempt id, in the same direction, so keyset
// pagination is exact.
type CDRSort string

// The CDR orders.
const (
	CDRByStarted   CDRSort = "started"   // start time
	CDRByDuration  CDRSort = "duration"  // end - start; calls still running come last (first ascending)
	CDRByPages     CDRSort = "pages"     // pages transferred
	CDRByStatus    CDRSort = "status"    // call status, alphabetically
	CDRByTo        CDRSort = "to"        // destination (inbound: our DID)
	CDRByFrom      CDRSort = "from"      // caller ID (inbound: the caller)
	CDRByDirection CDRSort = "direction" // inbound before outbound ascending
)

// CDRSorts lists the valid orders.
var CDRSorts = []CDRSort{CDRByStarted, CDRByDuration, CDRByPages, CDRByStatus, CDRByTo, CDRByFrom, CDRByDirection}

// Valid reports whether s is one of CDRSorts ("" counts as CDRByStarted).
func (s CDRSort) Valid() bool {
	if s == "" {
		return true
	}
	for _, x := range CDRSorts {
		if s == x {
			return true
		}
	}
	return false
}

// cdrKey is the SQL expression of a sort and whether its values are
// integers (else text); started is handled as a time.
func (s *Store) cdrKey(by CDRSort) (expr string, integer bool) {
	switch by {
	case CDRByDuration:
		if s.engine == SQLite {
			return "COALESCE(a.ended_at - a.started_at, -1)", true
		}
		return "COALESCE(CAST(EXTRACT(EPOCH FROM (a.ended_at - a.started_at)) * 1000000 AS BIGINT), -1)", true
	case CDRByPages:
		return "a.pages", true
	case CDRByStatus:
		return "a.status", false
	case CDRByTo:
		return "f.to_number", false
	case CDRByFrom:
		return "f.caller_id", false
	case CDRByDirection:
		return "f.direction", false
	}
	return "a.started_at", false
}

// cdrPos is a position in a CDR order other than by start time: the sort,
// the key of the last row (an integer or a text) and its id. (Start-time
// orders use the plain time cursor.)
type cdrPos struct {
	by   CDRSort
	key  string
	id   string
	time cursor
}

func (p cdrPos) zero() bool { return p.id == "" && p.time.id == "" }

func (p cdrPos) encode() string {
	if p.by == CDRByStarted {
		return p.time.encode()
	}
	raw := string(p.by) + "\x00" + p.key + "\x00" + p.id
	return "k" + base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCDRPos(s string, by CDRSort) (cdrPos, error) {
	if by == CDRByStarted {
		c, err := decodeCursor(s)
		return cdrPos{by: by, time: c}, err
	}
	bad := model.Invalid("cursor", "malformed or expired cursor")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, "k"))
	if err != nil || !strings.HasPrefix(s, "k") {
		return cdrPos{}, bad
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || CDRSort(parts[0]) != by || parts[2] == "" || len(parts[2]) > 64 || len(parts[1]) > 256 {
		return cdrPos{}, bad
	}
	return cdrPos{by: by, key: parts[1], id: parts[2]}, nil
}

// cdrPosOf is the position of row c in the order by.
func (s *Store) cdrPosOf(by CDRSort, c model.CDR) cdrPos {
	p := cdrPos{by: by, id: c.ID}
	switch by {
	case CDRByStarted:
		p.time = cursor{c.StartedAt, c.ID}
	case CDRByDuration:
		d := int64(-1)
		if !c.EndedAt.IsZero() {
			d = c.EndedAt.Truncate(time.Microsecond).Sub(c.StartedAt.Truncate(time.Microsecond)).Microseconds()
		}
		p.key = strconv.FormatInt(d, 10)
	case CDRByPages:
		p.key = strconv.Itoa(c.Pages)
	case CDRByStatus:
		p.key = string(c.Status)
	case CDRByTo:
		p.key = c.To
	case CDRByFrom:
		p.key = c.From
	case CDRByDirection:
		p.key = string(c.Direction)
	}
	return p
}

// cdrCols are the attempt columns (qualified), the fax's, then the
// report's part of the attempt's SIP record (model.SIPSummary; s.call_id
// NULL when it has none). Only these few: the export reads every row and
// each column costs per row.
var cdrCols = qualify("a", attemptCols) + `, f.direction, f.status, f.source, f.title, f.user_id,
	COALESCE(u.email, ''), f.caller_id, f.to_number, s.call_id, COALESCE(s.sip_code, 0), COALESCE(s.sip_reason, ''),
	COALESCE(s.codec, ''), COALESCE(s.pkts_sent, 0), COALESCE(s.pkts_received, 0), COALESCE(s.pkts_lost, 0),
	COALESCE(s.pkts_recovered, 0)`

const cdrFrom = ` FROM attempts a JOIN faxes f ON f.id = a.fax_id LEFT JOIN users u ON u.id = f.user_id` + sipJoin

// qualify prefixes every column of a comma-separated list with alias.
func qualify(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// cdrScanner reads CDR rows into one set of destinations, made once per
// query rather than once per row (the export reads every row).
type cdrScanner struct {
	c      model.CDR
	callID sql.NullString
	line   model.SIPSummary
	dest   []any
}

func newCDRScanner() *cdrScanner {
	x := &cdrScanner{}
	c, l := &x.c, &x.line
	// An inbound fax stores the caller in caller_id and our DID in
	// to_number, so (caller_id, to_number) is From -> To both ways.
	x.dest = append(attemptDest(&c.Attempt), &c.Direction, &c.FaxStatus, &c.Source, &c.Title, scanStr(&c.UserID),
		&c.UserEmail, &c.From, &c.To, &x.callID, &l.SIPCode, &l.SIPReason, &l.Codec, &l.Sent, &l.Received, &l.Lost,
		&l.Recovered)
	return x
}

func (x *cdrScanner) scan(r rowScanner) (model.CDR, error) {
	x.c, x.callID, x.line = model.CDR{}, sql.NullString{}, model.SIPSummary{}
	if err := r.Scan(x.dest...); err != nil {
		return model.CDR{}, err
	}
	c := x.c
	if x.callID.Valid {
		l := x.line
		l.CallID = x.callID.String
		c.Line = &l
	}
	return c, nil
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
	if !f.Sort.Valid() {
		return nil, "", model.Invalid("sort", "unknown sort")
	}
	var after cdrPos
	if o.Cursor != "" {
		c, err := decodeCDRPos(o.Cursor, sortOf(f))
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
	return items, s.cdrPosOf(sortOf(f), items[len(items)-1]).encode(), nil
}

func sortOf(f CDRFilter) CDRSort {
	if f.Sort == "" {
		return CDRByStarted
	}
	return f.Sort
}

// EachCDR calls fn for every record the filter selects, in list order.
// Memory stays bounded whatever the count. In start-time order it reads in
// keyset batches (the (tenant_id, started_at, id) index seeks to each one),
// so no transaction is held open between batches. The other orders have no
// index (their keys are expressions or columns of the fax), so each batch
// would sort the whole filtered set again, quadratic in its size: they
// stream one ordered query instead, which the database sorts once (spilling
// to disk past its memory budget) while its read snapshot stays open.
func (s *Store) EachCDR(ctx context.Context, scope model.Scope, f CDRFilter, fn func(model.CDR) error) error {
	const batch = 1000
	if !f.Sort.Valid() {
		return model.Invalid("sort", "unknown sort")
	}
	if sortOf(f) != CDRByStarted {
		return s.eachCDRSorted(ctx, scope, f, fn)
	}
	var after cdrPos
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
		after = s.cdrPosOf(sortOf(f), items[len(items)-1])
	}
}

// eachCDRSorted streams every record the filter selects in one query
// ordered by f.Sort (see EachCDR).
func (s *Store) eachCDRSorted(ctx context.Context, scope model.Scope, f CDRFilter, fn func(model.CDR) error) error {
	w, err := s.cdrWhere(scope, f)
	if err != nil {
		return err
	}
	dir := "DESC"
	if f.Ascending {
		dir = "ASC"
	}
	key, _ := s.cdrKey(sortOf(f))
	q := `SELECT ` + cdrCols + cdrFrom + w.sql() + ` ORDER BY ` + key + ` ` + dir + `, a.id ` + dir
	rows, err := s.rdb.QueryContext(ctx, q, w.args...)
	if err != nil {
		return s.mapErr(err)
	}
	defer rows.Close()
	sc := newCDRScanner()
	for rows.Next() {
		c, err := sc.scan(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// cdrBatch reads up to limit records after the position (zero: from the
// start) in the filter's order.
func (s *Store) cdrBatch(ctx context.Context, scope model.Scope, f CDRFilter, after cdrPos, limit int) ([]model.CDR, error) {
	w, err := s.cdrWhere(scope, f)
	if err != nil {
		return nil, err
	}
	cmp, dir := "<", "DESC"
	if f.Ascending {
		cmp, dir = ">", "ASC"
	}
	by := sortOf(f)
	key, integer := s.cdrKey(by)
	if !after.zero() {
		switch {
		case by == CDRByStarted:
			w.add("(a.started_at, a.id) "+cmp+" (?, ?)", s.tv(after.time.at), after.time.id)
		case integer:
			n, err := strconv.ParseInt(after.key, 10, 64)
			if err != nil {
				return nil, model.Invalid("cursor", "malformed or expired cursor")
			}
			w.add("("+key+", a.id) "+cmp+" (?, ?)", n, after.id)
		default:
			w.add("("+key+", a.id) "+cmp+" (?, ?)", after.key, after.id)
		}
	}
	q := `SELECT ` + cdrCols + cdrFrom + w.sql() +
		` ORDER BY ` + key + ` ` + dir + `, a.id ` + dir + ` LIMIT ` + w.arg(limit)
	return queryList(ctx, s, q, w.args, newCDRScanner().scan)
}
