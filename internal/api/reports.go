package api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/reports"
	"faxgate/internal/tz"
)

// CDR is one call detail record: an outbound attempt or an inbound
// reception, with the fields of a fax's attempt and of its fax.
type CDR struct {
	ID           string `json:"id" api:"required,readonly" doc:"The attempt id."`
	FaxID        string `json:"fax_id" api:"required,readonly"`
	TenantID     string `json:"tenant_id" api:"required,readonly"`
	UserID       string `json:"user_id" api:"required,readonly"`
	UserEmail    string `json:"user_email" api:"required,readonly"`
	Direction    string `json:"direction" api:"required,readonly" enum:"outbound,inbound"`
	From         string `json:"from" api:"required,readonly" doc:"Outbound: the caller ID; inbound: the caller."`
	To           string `json:"to" api:"required,readonly" doc:"Outbound: the destination; inbound: the DID."`
	DialedNumber string `json:"dialed_number" api:"required,readonly" doc:"As sent to the trunk, after its dial rules."`
	Status       string `json:"status" api:"required,readonly" enum:"dialing,ringing,connected,completed,failed"`
	FaxStatus    string `json:"fax_status" api:"required,readonly"`
	AttemptFields
	DurationS float64 `json:"duration_s" api:"required,readonly" doc:"From start to end; 0 while the call runs."`
	// The SIP record's columns (the whole record: GET /faxes/{id}, attempts[].sip).
	SIPCallID        string `json:"sip_call_id" api:"required,readonly" doc:"SIP Call-ID; empty for calls on other lines and while the call runs (then every sip_ and packets_ field is empty or 0)."`
	SIPCode          int    `json:"sip_code" api:"required,readonly" doc:"Final SIP response to the initial INVITE (inbound: the one we sent)."`
	SIPReason        string `json:"sip_reason" api:"required,readonly"`
	Codec            string `json:"codec" api:"required,readonly" doc:"G.711 codec of the audio leg: PCMU or PCMA."`
	PacketsSent      int64  `json:"packets_sent" api:"required,readonly" doc:"Media packets (RTP and UDPTL) sent."`
	PacketsReceived  int64  `json:"packets_received" api:"required,readonly"`
	PacketsLost      int64  `json:"packets_lost" api:"required,readonly"`
	PacketsRecovered int64  `json:"packets_recovered" api:"required,readonly" doc:"Lost packets rebuilt from UDPTL redundancy."`
}

// CDRList is one page of call detail records.
type CDRList struct {
	Items      []CDR  `json:"items" api:"required"`
	NextCursor string `json:"next_cursor" api:"required"`
}

func cdrDTO(c model.CDR) CDR {
	d := CDR{ID: c.ID, FaxID: c.FaxID, TenantID: c.TenantID, UserID: c.UserID, UserEmail: c.UserEmail,
		Direction: string(c.Direction), From: c.From, To: c.To, DialedNumber: c.DialedNumber,
		Status: string(c.Status), FaxStatus: string(c.FaxStatus), AttemptFields: attemptFields(c.Attempt)}
	if !c.EndedAt.IsZero() {
		d.DurationS = c.EndedAt.Sub(c.StartedAt).Round(100 * time.Millisecond).Seconds()
	}
	if l := c.Line; l != nil {
		d.SIPCallID, d.SIPCode, d.SIPReason, d.Codec = l.CallID, l.SIPCode, l.SIPReason, l.Codec
		d.PacketsSent, d.PacketsReceived, d.PacketsLost, d.PacketsRecovered = l.Sent, l.Received, l.Lost, l.Recovered
	}
	return d
}

// cdrSortParam is the column CDRs are ordered by; ties are broken by id,
// so the cursor pages stay exact in every order, and the CSV export
// follows it too.
var cdrSortParam = Param{Name: "sort", Enum: cdrSortNames(),
	Desc: "Order by start time (default), duration, pages, status, to, from or direction; see order."}

func cdrSortNames() []string {
	out := make([]string, len(reports.CDRSorts))
	for i, s := range reports.CDRSorts {
		out[i] = string(s)
	}
	return out
}

var csvFormat = Param{Name: "format", Enum: []string{"json", "csv"},
	Desc: "csv streams every matching row (no paging) as text/csv; default json (one page)."}

var tzParam = Param{Name: "tz", Desc: "IANA time zone of the CSV times (default: the tenant's, UTC for admins)."}

// DashboardDay is one day of activity in the dashboard's time zone.
type DashboardDay struct {
	Date          string `json:"date" api:"required,readonly" doc:"YYYY-MM-DD in the dashboard's time zone."`
	Sent          int    `json:"sent" api:"required,readonly" doc:"Outbound faxes delivered."`
	Failed        int    `json:"failed" api:"required,readonly" doc:"Outbound faxes that failed for good."`
	Received      int    `json:"received" api:"required,readonly"`
	SentPages     int    `json:"sent_pages" api:"required,readonly"`
	ReceivedPages int    `json:"received_pages" api:"required,readonly"`
}

// Dashboard sums the last 30 days of fax activity the caller may see.
type Dashboard struct {
	TimeZone      string         `json:"time_zone" api:"required,readonly"`
	Days          []DashboardDay `json:"days" api:"required,readonly" doc:"30 days, oldest first, ending today."`
	Sent          int            `json:"sent" api:"required,readonly"`
	Failed        int            `json:"failed" api:"required,readonly"`
	Canceled      int            `json:"canceled" api:"required,readonly"`
	Received      int            `json:"received" api:"required,readonly"`
	SentPages     int            `json:"sent_pages" api:"required,readonly"`
	ReceivedPages int            `json:"received_pages" api:"required,readonly"`
	AllSent       int            `json:"all_sent" api:"required,readonly" doc:"Outbound faxes delivered, all time."`
	AllReceived   int            `json:"all_received" api:"required,readonly" doc:"Faxes received, all time."`
	SuccessRate   *float64       `json:"success_rate" api:"required,readonly" doc:"Percent of finished outbound faxes delivered; null when none finished."`
	DIDs          int            `json:"dids" api:"required,readonly" doc:"Users: the DIDs routed to them."`
	Users         int            `json:"users" api:"required,readonly" doc:"0 for role user."`
	Tenants       int            `json:"tenants" api:"required,readonly" doc:"Admins only."`
}

func dashboardDTO(d reports.Dashboard, loc *time.Location) Dashboard {
	out := Dashboard{TimeZone: loc.String(), Sent: d.Sent, Failed: d.Failed, Canceled: d.Canceled,
		Received: d.Received, SentPages: d.SentPages, ReceivedPages: d.ReceivedPages, DIDs: d.DIDs,
		Users: d.Users, Tenants: d.Tenants, AllSent: d.AllSent, AllReceived: d.AllReceived}
	if d.SuccessRate >= 0 {
		r := float64(int(d.SuccessRate*10+0.5)) / 10
		out.SuccessRate = &r
	}
	for _, x := range d.Days {
		out.Days = append(out.Days, DashboardDay{Date: x.Date.Format(time.DateOnly), Sent: x.Sent, Failed: x.Failed,
			Received: x.Received, SentPages: x.SentPages, ReceivedPages: x.ReceivedPages})
	}
	return out
}

func (a *API) getDashboard(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "tz", "tenant_id")
	if err != nil {
		return err
	}
	tenantID, err := q.tenantID(actor)
	if err != nil {
		return err
	}
	loc, err := a.csvLocation(r.Context(), q, actor)
	if err != nil {
		return err
	}
	d, err := a.d.Reports.Dashboard(r.Context(), actor, tenantID, loc)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, dashboardDTO(d, loc))
	return nil
}

func (a *API) reportRoutes() []Route {
	return []Route{
		{Method: "GET", Path: Prefix + "/dashboard", ID: "getDashboard", Tag: "reports", Resp: Dashboard{},
			handle: a.getDashboard, Query: []Param{
				{Name: "tz", Desc: "IANA time zone of the days (default: the tenant's, UTC for admins)."}, tenantParam},
			Summary: "The last 30 days of fax activity and the account's counts (tenants: theirs; users: their own)."},
		{Method: "GET", Path: Prefix + "/reports/cdr", ID: "listCDR", Tag: "reports", Resp: CDRList{},
			RespTypes: []string{"text/csv"}, handle: a.listCDR,
			Summary: "Call detail records: every outbound attempt and inbound reception (tenants: theirs; users: their own).",
			Query: withPage(
				Param{Name: "from", Desc: "Calls started from this time (RFC 3339) or day (YYYY-MM-DD), inclusive."},
				Param{Name: "to", Desc: "Until this time (RFC 3339, exclusive) or day (YYYY-MM-DD, inclusive)."},
				Param{Name: "user_id", Desc: "Only the faxes of this user."},
				Param{Name: "direction", Enum: []string{"outbound", "inbound"}},
				Param{Name: "status", Enum: []string{"dialing", "ringing", "connected", "completed", "failed"}},
				Param{Name: "cause", Desc: "Cause class, e.g. busy, no_answer, fax_negotiation."},
				Param{Name: "number", Desc: "Digits contained in the from, to or dialled number."},
				cdrSortParam,
				Param{Name: "order", Enum: []string{"desc", "asc"}, Desc: "Direction of the sort; default desc (newest, longest, largest first)."},
				csvFormat, tzParam, tenantParam)},
	}
}

func (a *API) listCDR(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "from", "to", "user_id", "direction", "status", "cause", "number", "sort", "order", "format",
		"tz", "tenant_id", "limit", "cursor")
	if err != nil {
		return err
	}
	f, err := cdrFilter(q, actor)
	if err != nil {
		return err
	}
	switch q.get("format") {
	case "csv":
		loc, err := a.csvLocation(r.Context(), q, actor)
		if err != nil {
			return err
		}
		return streamCSV(w, "cdr", func(w io.Writer) error {
			_, err := a.d.Reports.WriteCDRCSV(r.Context(), actor, f, loc, w)
			return err
		})
	case "", "json":
	default:
		return model.Invalid("format", "must be json or csv")
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	rows, next, err := a.d.Reports.CDR(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, CDRList{Items: mapSlice(rows, cdrDTO), NextCursor: next})
	return nil
}

func cdrFilter(q query, actor model.Actor) (reports.CDRFilter, error) {
	tenantID, err := q.tenantID(actor)
	if err != nil {
		return reports.CDRFilter{}, err
	}
	f := reports.CDRFilter{TenantID: tenantID, UserID: q.get("user_id"),
		Direction: model.FaxDirection(q.get("direction")), Status: model.AttemptStatus(q.get("status")),
		Cause: model.Cause(q.get("cause")), Number: strings.TrimSpace(q.get("number"))}
	v := &model.ValidationError{}
	var ok bool
	if f.From, ok = q.timeParam("from", false); !ok {
		v.Add("from", timeFormatHint)
	}
	if f.To, ok = q.timeParam("to", true); !ok {
		v.Add("to", timeFormatHint)
	}
	if f.Sort = reports.CDRSort(q.get("sort")); !f.Sort.Valid() {
		v.Add("sort", "must be "+strings.Join(cdrSortParam.Enum, ", "))
	}
	switch q.get("order") {
	case "", "desc":
	case "asc":
		f.Ascending = true
	default:
		v.Add("order", "must be asc or desc")
	}
	return f, v.OrNil()
}

// csvLocation is the time zone of a CSV export: ?tz=, else the tenant's
// fax settings, else UTC.
func (a *API) csvLocation(ctx context.Context, q query, actor model.Actor) (*time.Location, error) {
	name := q.get("tz")
	if name == "" && actor.TenantID != "" {
		if s, err := a.d.Tenancy.GetFaxSettings(ctx, actor, actor.TenantID); err == nil {
			name = s.TimeZone
		}
	}
	if name == "" {
		return time.UTC, nil
	}
	if len(name) > 64 {
		return nil, model.Invalid("tz", "unknown time zone")
	}
	loc, err := tz.Load(name)
	if err != nil {
		return nil, model.Invalid("tz", "unknown time zone")
	}
	return loc, nil
}

// streamCSV answers a CSV download named base-<date>.csv written by fn.
// The headers go out with the first byte, so an error before any row is
// still answered as a JSON error; after that a failure can only cut the
// body short.
func streamCSV(w http.ResponseWriter, base string, fn func(io.Writer) error) error {
	return fn(&csvResponse{w: w, name: base + "-" + time.Now().UTC().Format("20060102") + ".csv"})
}

type csvResponse struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (c *csvResponse) Write(p []byte) (int, error) {
	if !c.started {
		c.started = true
		h := c.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+c.name+`"`)
		h.Set("Cache-Control", "no-store")
		c.w.WriteHeader(http.StatusOK)
	}
	return c.w.Write(p)
}
