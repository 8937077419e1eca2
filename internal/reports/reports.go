// Package reports answers the portal's Reports menu and /api/v1/reports:
// call detail records (every outbound attempt and every inbound reception)
// filtered, paginated and exported as CSV without loading the set in
// memory. Who sees what follows the roles: admins every tenant (or one),
// tenant admins their tenant, users their own faxes.
package reports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"faxgate/internal/csvcell"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Service reads the reports.
type Service struct {
	st  *store.Store
	now func() time.Time
}

// New returns the reports service over st; now (nil: time.Now) is the
// clock the dashboard's "today" comes from.
func New(st *store.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, now: now}
}

// CDRFilter is what a caller may ask for; the actor's role narrows it.
type CDRFilter = store.CDRFilter

// CDRSort is a column the records can be ordered by; CDRSorts lists them.
type CDRSort = store.CDRSort

// The CDR orders (see store.CDRSort).
const (
	CDRByStarted   = store.CDRByStarted
	CDRByDuration  = store.CDRByDuration
	CDRByPages     = store.CDRByPages
	CDRByStatus    = store.CDRByStatus
	CDRByTo        = store.CDRByTo
	CDRByFrom      = store.CDRByFrom
	CDRByDirection = store.CDRByDirection
)

// CDRSorts lists the valid orders, the default (start time) first.
var CDRSorts = store.CDRSorts

// scopeFor applies the actor's visibility to f and returns the scope to
// query in.
func scopeFor(actor model.Actor, f CDRFilter) (model.Scope, CDRFilter, error) {
	switch {
	case !actor.Role.Valid():
		return model.Scope{}, f, model.ErrUnauthenticated
	case actor.IsAdmin():
		return model.PlatformScope(), f, nil
	case actor.TenantID == "" || actor.UserID == "":
		return model.Scope{}, f, model.ErrUnauthenticated
	}
	f.TenantID = ""
	if actor.Role == model.RoleUser {
		f.UserID = actor.UserID
	}
	return model.TenantScope(actor.TenantID), f, nil
}

// validate checks the filter's values.
func validate(f CDRFilter) error {
	v := &model.ValidationError{}
	if f.Direction != "" && !f.Direction.Valid() {
		v.Add("direction", "must be inbound or outbound")
	}
	if f.Status != "" && !f.Status.Valid() {
		v.Add("status", "must be dialing, ringing, connected, completed or failed")
	}
	if len(f.Number) > 32 {
		v.Add("number", "at most 32 characters")
	}
	if !f.Sort.Valid() {
		v.Add("sort", "must be started, duration, pages, status, to, from or direction")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		v.Add("to", "must be after from")
	}
	return v.OrNil()
}

// CDR returns one page of call detail records the actor may see.
func (s *Service) CDR(ctx context.Context, actor model.Actor, f CDRFilter, o model.ListOptions) ([]model.CDR, string, error) {
	if err := validate(f); err != nil {
		return nil, "", err
	}
	sc, f, err := scopeFor(actor, f)
	if err != nil {
		return nil, "", err
	}
	return s.st.ListCDRs(ctx, sc, f, o)
}

// CDRColumns is the header row of the CSV export.
var CDRColumns = []string{"started_at", "answered_at", "ended_at", "direction", "user", "from", "to",
	"dialed_number", "status", "fax_status", "cause", "result_code", "result_text", "pages", "duration_s",
	"transport", "bit_rate", "ecm", "trunk", "remote_station_id", "try", "fax_id", "attempt_id",
	"sip_call_id", "sip_code", "sip_reason", "codec", "packets_sent", "packets_received", "packets_lost",
	"packets_recovered"}

// WriteCDRCSV streams every record the filter selects (no page limit) to w
// as CSV in the filter's order (f.Sort, f.Ascending), times in loc (RFC
// 3339). It returns the number of rows written.
// Memory stays bounded: rows are read in keyset batches and written as they
// come.
func (s *Service) WriteCDRCSV(ctx context.Context, actor model.Actor, f CDRFilter, loc *time.Location, w io.Writer) (int, error) {
	if err := validate(f); err != nil {
		return 0, err
	}
	sc, f, err := scopeFor(actor, f)
	if err != nil {
		return 0, err
	}
	if loc == nil {
		loc = time.UTC
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CDRColumns); err != nil {
		return 0, err
	}
	n := 0
	rec := make([]string, 0, len(CDRColumns))
	err = s.st.EachCDR(ctx, sc, f, func(c model.CDR) error {
		rec = cdrRecord(rec[:0], c, loc)
		n++
		if n%1000 == 0 {
			cw.Flush()
		}
		return cw.Write(rec)
	})
	if err != nil {
		return n, fmt.Errorf("reports: CDR export: %w", err)
	}
	cw.Flush()
	return n, cw.Error()
}

func cdrRecord(rec []string, c model.CDR, loc *time.Location) []string {
	rec = append(rec, stamp(c.StartedAt, loc), stamp(c.AnsweredAt, loc), stamp(c.EndedAt, loc),
		string(c.Direction), csvcell.Safe(c.UserEmail), csvcell.Safe(c.From), csvcell.Safe(c.To),
		csvcell.Safe(c.DialedNumber), string(c.Status), string(c.FaxStatus), string(c.Cause),
		strconv.Itoa(c.ResultCode()), csvcell.Safe(c.ResultText), strconv.Itoa(c.Pages), seconds(c),
		string(c.Transport), strconv.Itoa(c.BitRate), strconv.FormatBool(c.ECMUsed), csvcell.Safe(c.TrunkName),
		csvcell.Safe(c.RemoteStationID), strconv.Itoa(c.Try), c.FaxID, c.ID)
	if s := c.Line; s != nil {
		// The Call-ID and reason phrase come from the far end on inbound calls.
		return append(rec, csvcell.Safe(s.CallID), strconv.Itoa(s.SIPCode), csvcell.Safe(s.SIPReason),
			csvcell.Safe(s.Codec), strconv.FormatInt(s.Sent, 10), strconv.FormatInt(s.Received, 10),
			strconv.FormatInt(s.Lost, 10), strconv.FormatInt(s.Recovered, 10))
	}
	// Not a SIP call (or still running): empty SIP cells.
	return append(rec, "", "", "", "", "", "", "", "")
}

func stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

// seconds is the call's duration from start to end ("" while it runs).
func seconds(c model.CDR) string {
	if c.EndedAt.IsZero() {
		return ""
	}
	return strconv.FormatFloat(c.EndedAt.Sub(c.StartedAt).Seconds(), 'f', 1, 64)
}
