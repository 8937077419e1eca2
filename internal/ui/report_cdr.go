package ui

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/reports"
	"faxgate/internal/tz"
)

// reportRoutes are the pages of Reports > CDR Reports.
func (h *Handler) reportRoutes() []route {
	return []route{
		{"GET /reports/cdr", anyUser, h.cdrList},
		{"GET /reports/cdr/export", anyUser, h.cdrExport},
		{"GET /reports/activities/export", anyUser, h.activityExport},
	}
}

// cdrRow is one record as the table shows it (times already in the
// viewer's zone).
type cdrRow struct {
	model.CDR
	Started, Duration string
	// Answered and Ended are clock times, with the date only when it is
	// not the start's; "" when the call was not answered / has not ended.
	Answered, Ended string
	Outcome         string // plain words
}

// cdrData is the data of Reports > CDR Reports.
type cdrData struct {
	Rows                         []cdrRow
	Pager                        pager
	Users                        []option
	Tenants                      []option
	Causes                       []option
	Directions, Statuses, Orders []option
	Sorts                        []option
	Heads                        map[string]sortHead // column sort links, by sort key
	Zone                         string
	ExportURL                    string
	Filtered                     bool
}

// cdrList is the call detail records with filters, newest first.
func (h *Handler) cdrList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	f, cf := cdrFilter(r, actor)
	loc := h.zone(r)
	d := cdrData{Causes: causeOptions(), Directions: directionOptions, Statuses: attemptStatusOptions,
		Orders: orderOptions, Sorts: cdrSortOptions, Zone: loc.String(), Filtered: r.URL.RawQuery != "",
		ExportURL: "/reports/cdr/export", Heads: sortHeads(r, cdrSortOptions, f.Get("sort"), cf.Ascending)}
	if q := exportQuery(r); q != "" {
		d.ExportURL += "?" + q
	}
	if !f.HasErrors() {
		rows, next, err := h.reports.CDR(ctx, actor, cf, listOptions(r))
		if err != nil && !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		for _, c := range rows {
			d.Rows = append(d.Rows, newCDRRow(c, loc))
		}
		d.Pager = newPager(r, next)
	}
	var err error
	if d.Users, err = h.userOptions(ctx, actor, cf.TenantID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Tenants, err = h.tenantOptions(ctx, actor, "All tenants"); err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, "CDR Reports", "cdr")
	v.Form, v.Data = f, d
	status := http.StatusOK
	if f.HasErrors() {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, status, "cdr", v)
}

// cdrExport streams every record of the current filters as CSV.
func (h *Handler) cdrExport(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	f, cf := cdrFilter(r, actor)
	if f.HasErrors() {
		h.failure(w, r, "The filters are not valid: fix them on the CDR page, then export again.")
		redirect(w, r, "/reports/cdr")
		return
	}
	setCSVDownload(w, "cdr-"+h.now().UTC().Format("20060102")+".csv")
	if _, err := h.reports.WriteCDRCSV(ctx, actor, cf, h.zone(r), w); err != nil {
		// The status line is gone already: log it; the file ends short.
		h.log.Error("CDR export failed", "err", err)
	}
}

// cdrFilter reads the filter fields; bad values become field errors.
func cdrFilter(r *http.Request, actor model.Actor) (*form, reports.CDRFilter) {
	q := r.URL.Query()
	f := newForm()
	for _, k := range []string{"from", "to", "user_id", "direction", "status", "cause", "number", "sort", "order", "tenant_id"} {
		f.Set(k, strings.TrimSpace(q.Get(k)))
	}
	cf := reports.CDRFilter{From: parseDay(f, "from"), Number: f.Get("number"), Ascending: f.Get("order") == "asc",
		Direction: model.FaxDirection(f.Get("direction")), Status: model.AttemptStatus(f.Get("status")),
		Cause: model.Cause(f.Get("cause"))}
	if to := parseDay(f, "to"); !to.IsZero() {
		cf.To = to.AddDate(0, 0, 1)
	}
	if !cf.From.IsZero() && !cf.To.IsZero() && !cf.To.After(cf.From) {
		f.Invalid("to", "must not be before the start date")
	}
	if cf.Direction != "" && !cf.Direction.Valid() {
		f.Invalid("direction", "choose inbound or outbound")
	}
	if cf.Status != "" && !cf.Status.Valid() {
		f.Invalid("status", "choose a status from the list")
	}
	if len(cf.Number) > 32 {
		f.Invalid("number", "at most 32 characters")
	}
	if f.Get("sort") == string(reports.CDRByStarted) {
		f.Set("sort", "") // the default: the first option
	}
	if cf.Sort = reports.CDRSort(f.Get("sort")); !cf.Sort.Valid() {
		f.Invalid("sort", "choose a column from the list")
	}
	if o := f.Get("order"); o != "" && o != "asc" && o != "desc" {
		f.Invalid("order", "choose ascending or descending")
	}
	if model.ValidID(model.PrefixUser, f.Get("user_id")) {
		cf.UserID = f.Get("user_id")
	}
	if actor.IsAdmin() && model.ValidID(model.PrefixTenant, f.Get("tenant_id")) {
		cf.TenantID = f.Get("tenant_id")
	}
	return f, cf
}

// setCSVDownload sets the headers of a CSV file download.
func setCSVDownload(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// exportQuery is the current filter query without the page cursor.
func exportQuery(r *http.Request) string {
	q := r.URL.Query()
	q.Del("cursor")
	q.Del("limit")
	for k, vs := range q {
		if len(vs) == 0 || vs[0] == "" {
			q.Del(k)
		}
	}
	return q.Encode()
}

// sortHead is a sortable column heading: the link that sorts by the
// column (flipping the direction when it is the current sort) and the
// column's aria-sort value.
type sortHead struct {
	Href string
	Aria string // "ascending", "descending" or "none"
}

// sortHeads are the heading links of a list sorted by the sort and order
// query parameters; the other filters are kept, the cursor dropped. A
// column's first click sorts descending, the next ascending.
func sortHeads(r *http.Request, sorts []option, cur string, asc bool) map[string]sortHead {
	heads := make(map[string]sortHead, len(sorts))
	for _, o := range sorts {
		q := r.URL.Query()
		q.Del("cursor")
		q.Set("sort", o.Value)
		q.Del("order")
		h := sortHead{Aria: "none"}
		if o.Value == cur {
			h.Aria = "descending"
			if asc {
				h.Aria = "ascending"
			} else {
				q.Set("order", "asc")
			}
		}
		for k, vs := range q {
			if len(vs) == 0 || vs[0] == "" {
				q.Del(k)
			}
		}
		h.Href = pageURL(r.URL.Path, q)
		key := o.Value
		if key == "" {
			key = "started"
		}
		heads[key] = h
	}
	return heads
}

func newCDRRow(c model.CDR, loc *time.Location) cdrRow {
	row := cdrRow{CDR: c, Started: c.StartedAt.In(loc).Format("2006-01-02 15:04:05"), Outcome: outcomeText(c)}
	if !c.EndedAt.IsZero() {
		row.Duration = strconv.FormatFloat(c.EndedAt.Sub(c.StartedAt).Seconds(), 'f', 0, 64) + " s"
	}
	row.Answered = clockAfter(c.StartedAt, c.AnsweredAt, loc)
	row.Ended = clockAfter(c.StartedAt, c.EndedAt, loc)
	return row
}

// clockAfter formats t in loc as a time of day, with the date in front when
// it is another day than start's; "" for a zero t.
func clockAfter(start, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t, start = t.In(loc), start.In(loc)
	if y, m, d := t.Date(); y == start.Year() && m == start.Month() && d == start.Day() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
}

// outcomeText says how the call ended in plain words.
func outcomeText(c model.CDR) string {
	switch {
	case !c.Status.Ended():
		return "In progress"
	case c.Status == model.AttemptCompleted:
		return "OK"
	case c.ResultText != "":
		return c.ResultText
	}
	return causeLabel(c.Cause)
}

func causeLabel(c model.Cause) string {
	for _, o := range causeOptions() {
		if o.Value == string(c) && c != "" {
			return o.Label
		}
	}
	return string(c)
}

var (
	directionOptions = []option{{"", "Both"}, {"outbound", "Outbound"}, {"inbound", "Inbound"}}
	orderOptions     = []option{{"", "Descending (newest first)"}, {"asc", "Ascending (oldest first)"}}
	// cdrSortOptions are the columns the CDR list sorts by.
	cdrSortOptions = []option{{"", "Start time"}, {"duration", "Duration"}, {"pages", "Pages"},
		{"status", "Status"}, {"to", "To"}, {"from", "From"}, {"direction", "Direction"}}
	// attemptStatusOptions are the call states, final ones first.
	attemptStatusOptions = []option{{"", "Any status"}, {"completed", "Completed"}, {"failed", "Failed"},
		{"connected", "Connected"}, {"ringing", "Ringing"}, {"dialing", "Dialing"}}
)

func causeOptions() []option {
	return []option{
		{"", "Any cause"},
		{string(model.CauseBusy), "Busy"},
		{string(model.CauseNoAnswer), "No answer"},
		{string(model.CauseRejected), "Rejected"},
		{string(model.CauseUnreachable), "Number unreachable"},
		{string(model.CauseFaxNegotiation), "Fax negotiation failed"},
		{string(model.CauseFaxTransfer), "Transfer broke off"},
		{string(model.CauseNetwork), "Network failure"},
		{string(model.CauseCanceled), "Canceled"},
		{string(model.CauseInternal), "Internal error"},
	}
}

// zoneMemo holds the viewer's time zone once a request has looked it up;
// guard puts an empty one in every signed-in request's context.
type zoneMemo struct{ loc *time.Location }

type zoneMemoKey struct{}

// withZoneMemo returns r with an empty zone memo in its context.
func withZoneMemo(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), zoneMemoKey{}, &zoneMemo{}))
}

// zone is the time zone the request's viewer sees times in (viewerZone),
// read from the tenant's fax settings at most once per request: the view,
// the page's handler and its exports share it.
func (h *Handler) zone(r *http.Request) *time.Location {
	m, _ := r.Context().Value(zoneMemoKey{}).(*zoneMemo)
	if m != nil && m.loc != nil {
		return m.loc
	}
	loc := h.viewerZone(r.Context(), actorOf(r))
	if m != nil {
		m.loc = loc
	}
	return loc
}

// viewerZone is the time zone times are shown in: the tenant's fax
// settings, UTC for platform admins or when unset. Handlers use zone.
func (h *Handler) viewerZone(ctx context.Context, actor model.Actor) *time.Location {
	if actor.TenantID == "" {
		return time.UTC
	}
	s, err := h.ten.GetFaxSettings(ctx, actor, actor.TenantID)
	if err != nil || s.TimeZone == "" {
		return time.UTC
	}
	loc, err := tz.Load(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
