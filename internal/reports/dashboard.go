package reports

import (
	"context"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// DashboardDays is how many days the dashboard covers.
const DashboardDays = 30

// Day is one day of fax activity in the viewer's time zone.
type Day struct {
	Date          time.Time // midnight, in the zone
	Sent, Failed  int       // outbound faxes delivered / failed that day
	Received      int       // inbound faxes received
	SentPages     int
	ReceivedPages int
}

// Dashboard is what the dashboard shows: the last DashboardDays days of
// activity and the counts of the actor's world.
type Dashboard struct {
	Days []Day // oldest first, DashboardDays entries ending today
	// Totals over Days.
	Sent, Failed, Canceled, Received int
	SentPages, ReceivedPages         int
	// AllSent and AllReceived count every outbound fax delivered and every
	// fax received, whenever: the guide's "total faxes sent/received".
	AllSent, AllReceived int
	// SuccessRate is delivered / (delivered + failed) in percent, or -1
	// when no outbound fax finished in the period.
	SuccessRate float64
	DIDs        int // the tenant's (a user: routed to them; admins: all)
	Users       int // 0 for role user
	Tenants     int // admins only
}

// Dashboard sums the actor's fax activity for the DashboardDays days up to
// now, in days of loc; tenantID narrows an admin's view to one tenant.
func (s *Service) Dashboard(ctx context.Context, actor model.Actor, tenantID string, loc *time.Location) (Dashboard, error) {
	now := s.now()
	if loc == nil {
		loc = time.UTC
	}
	sc, f, err := scopeFor(actor, CDRFilter{TenantID: tenantID})
	if err != nil {
		return Dashboard{}, err
	}
	today := midnight(now.In(loc))
	first := today.AddDate(0, 0, -(DashboardDays - 1))
	acts, err := s.st.FaxActivities(ctx, sc, store.ActivityFilter{TenantID: f.TenantID, UserID: f.UserID, Since: first})
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Days: make([]Day, DashboardDays)}
	for i := range d.Days {
		d.Days[i].Date = first.AddDate(0, 0, i)
	}
	for _, a := range acts {
		d.add(a, first, loc)
	}
	d.SuccessRate = -1
	if n := d.Sent + d.Failed; n > 0 {
		d.SuccessRate = 100 * float64(d.Sent) / float64(n)
	}
	return d, s.counts(ctx, &d, actor, sc, f)
}

// add counts one activity slot into its day.
func (d *Dashboard) add(a store.FaxActivity, first time.Time, loc *time.Location) {
	day := midnight(a.Slot.In(loc))
	i := int(day.Sub(first).Hours()/24 + 0.5) // DST days are 23 or 25 hours
	if i < 0 || i >= len(d.Days) {
		return
	}
	x := &d.Days[i]
	switch {
	case a.Direction == model.Inbound && a.Status == model.FaxReceived:
		x.Received += a.Faxes
		x.ReceivedPages += a.Pages
		d.Received += a.Faxes
		d.ReceivedPages += a.Pages
	case a.Status == model.FaxDelivered:
		x.Sent += a.Faxes
		x.SentPages += a.Pages
		d.Sent += a.Faxes
		d.SentPages += a.Pages
	case a.Direction == model.Outbound && a.Status == model.FaxFailed:
		x.Failed += a.Faxes
		d.Failed += a.Faxes
	case a.Status == model.FaxCanceled:
		d.Canceled += a.Faxes
	}
}

// counts fills the all-time fax totals and the DIDs, users and tenants
// counts the actor may see.
func (s *Service) counts(ctx context.Context, d *Dashboard, actor model.Actor, sc model.Scope, f CDRFilter) error {
	var err error
	if d.AllSent, err = s.st.CountFaxes(ctx, sc, store.FaxFilter{Direction: model.Outbound,
		Status: []model.FaxStatus{model.FaxDelivered}, UserID: f.UserID, TenantID: f.TenantID}); err != nil {
		return err
	}
	if d.AllReceived, err = s.st.CountInboundFaxes(ctx, sc, store.InboundFilter{
		Status: []model.FaxStatus{model.FaxReceived}, UserID: f.UserID, TenantID: f.TenantID}); err != nil {
		return err
	}
	if d.DIDs, err = s.st.CountDIDs(ctx, sc, store.DIDFilter{TenantID: f.TenantID, UserID: f.UserID}); err != nil {
		return err
	}
	if actor.Role == model.RoleUser {
		return nil
	}
	if f.TenantID != "" {
		sc = model.TenantScope(f.TenantID)
	}
	if d.Users, err = s.st.CountUsers(ctx, sc); err != nil {
		return err
	}
	if actor.IsAdmin() && f.TenantID == "" {
		d.Tenants, err = s.st.CountTenants(ctx)
	}
	return err
}

func midnight(t time.Time) time.Time {
	y, m, dd := t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, t.Location())
}
