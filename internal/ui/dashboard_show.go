package ui

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/reports"
	"faxgate/internal/store"
)

// recentLimit is how many faxes the dashboard's recent tables show.
const recentLimit = 5

// dashboardData is the dashboard: announcements, the quota banner, the
// last 30 days (counts, success rate, pages per day), quota bars, the
// latest faxes both ways and the latest activity.
type dashboardData struct {
	Announcements []model.Announcement
	Quota         quotaBanner // page-limit warning (Send Single Fax)
	Stats         *reports.Dashboard
	SuccessRate   string // "97.5 %", "—" when nothing finished
	Chart         pagesChart
	DayBar        usageBar // tenant page limits; Limit 0 = none
	MonthBar      usageBar
	Outbound      []recentFax
	Inbound       []recentFax
	Live          bool // a recent fax is not final: the tables refresh
	Recent        eventTable
	Zone          string
}

// recentFax is a row of the recent tables.
type recentFax struct {
	ID, Link, Title, Number, Status, When string
	Pages                                 int
	Final, Failed                         bool
}

// dashboardShow is the landing page after login.
func (h *Handler) dashboardShow(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	loc := h.zone(r)
	d := dashboardData{Zone: loc.String(), Quota: h.quotaFor(ctx, actor),
		Announcements: h.activeAnnouncements(ctx, actor.TenantID)}
	if h.reports != nil {
		st, err := h.reports.Dashboard(ctx, actor, "", loc)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Stats, d.Chart, d.SuccessRate = &st, newPagesChart(st.Days), rateText(st.SuccessRate)
	}
	if err := h.recentFaxes(ctx, actor, loc, &d); err != nil {
		h.fail(w, r, err)
		return
	}
	h.usageBars(ctx, actor, &d)
	events, _, err := h.audit.List(ctx, actor, store.AuditFilter{}, model.ListOptions{Limit: recentLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Recent = h.newEventTable(ctx, actor, events)
	v := h.newView(w, r, "Dashboard", "dashboard")
	v.Data = d
	h.render(w, r, http.StatusOK, "dashboard", v)
}

func rateText(rate float64) string {
	if rate < 0 {
		return "—"
	}
	return formatPercent(rate)
}

// formatPercent writes p with at most one decimal.
func formatPercent(p float64) string {
	return strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64) + " %"
}

// recentFaxes fills the latest outbound and inbound faxes.
func (h *Handler) recentFaxes(ctx context.Context, actor model.Actor, loc *time.Location, d *dashboardData) error {
	o := model.ListOptions{Limit: recentLimit}
	if h.fax != nil {
		out, _, err := h.fax.List(ctx, actor, faxout.ListFilter{}, o)
		if err != nil {
			return err
		}
		for _, f := range out {
			d.Outbound = append(d.Outbound, newRecentFax(f, "/outbound/", f.To, loc))
		}
	}
	if h.inbox != nil {
		in, _, err := h.inbox.List(ctx, actor, faxin.InboxFilter{}, o)
		if err != nil {
			return err
		}
		for _, f := range in {
			d.Inbound = append(d.Inbound, newRecentFax(f.Fax, "/inbox/", f.CallerID, loc))
		}
	}
	for _, f := range append(d.Outbound, d.Inbound...) {
		d.Live = d.Live || !f.Final
	}
	return nil
}

func newRecentFax(f model.Fax, base, number string, loc *time.Location) recentFax {
	rf := recentFax{ID: f.ID, Link: base + f.ID, Title: f.Title, Number: number, Status: string(f.Status),
		When: f.CreatedAt.In(loc).Format("2 Jan 15:04"), Pages: f.Pages, Final: f.Status.Final(),
		Failed: f.Status == model.FaxFailed}
	if f.Status == model.FaxDelivered {
		rf.Pages = f.PagesSent
	}
	return rf
}

// usageBars fills the tenant's page-limit bars (nothing for admins or
// tenants without limits).
func (h *Handler) usageBars(ctx context.Context, actor model.Actor, d *dashboardData) {
	if h.fax == nil || actor.TenantID == "" {
		return
	}
	u, err := h.fax.Usage(ctx, actor, actor.TenantID)
	if err != nil {
		h.log.WarnContext(ctx, "dashboard: page usage not readable", "err", err)
		return
	}
	d.DayBar = newUsageBar(u.Day.Pages, u.DailyLimit)
	d.MonthBar = newUsageBar(u.Month.Pages, u.MonthlyLimit)
}
