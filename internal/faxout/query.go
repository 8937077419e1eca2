package faxout

import (
	"context"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// canSee reports whether the actor may see the fax: admins every fax,
// tenant admins their tenant's, users their own.
func canSee(actor model.Actor, f model.Fax) bool {
	switch {
	case actor.IsAdmin():
		return true
	case actor.TenantID == "" || actor.TenantID != f.TenantID:
		return false
	case actor.Role == model.RoleTenant:
		return true
	}
	return f.UserID != "" && f.UserID == actor.UserID
}

// visible returns the fax if the actor may see it, else model.ErrNotFound
// (never ErrForbidden: other tenants' and users' faxes do not exist for
// them).
func (s *Service) visible(ctx context.Context, actor model.Actor, id string) (model.Fax, error) {
	if !model.ValidID(model.PrefixFax, id) {
		return model.Fax{}, model.ErrNotFound
	}
	f, err := s.st.GetFax(ctx, actor.Scope(), id)
	if err != nil {
		return model.Fax{}, err
	}
	if !canSee(actor, f) {
		return model.Fax{}, model.ErrNotFound
	}
	return f, nil
}

// Get returns a fax the actor may see, with its attempts (oldest first).
// Inbound faxes are returned too (without inbox state such as deletion:
// serve them from faxin).
func (s *Service) Get(ctx context.Context, actor model.Actor, id string) (model.Fax, error) {
	f, err := s.visible(ctx, actor, id)
	if err != nil {
		return model.Fax{}, err
	}
	f.Attempts, err = s.st.ListAttempts(ctx, model.TenantScope(f.TenantID), f.ID)
	return f, err
}

// ListFilter narrows List and Count. Zero fields do not filter.
type ListFilter struct {
	// Direction must be outbound or empty (= outbound): the inbox (inbound
	// faxes, with its deletions) is faxin's List.
	Direction model.FaxDirection
	Status    []model.FaxStatus
	Query     string
	From, To  time.Time
	// UserID narrows to one submitter (tenant admins and admins; users
	// always see only their own faxes).
	UserID string
	// TenantID narrows to one tenant (admins only).
	TenantID string
}

// List lists the outbound faxes the actor may see, newest first (without
// attempts).
func (s *Service) List(ctx context.Context, actor model.Actor, f ListFilter, o model.ListOptions) ([]model.Fax, string, error) {
	if f.Direction != "" && f.Direction != model.Outbound {
		return nil, "", model.Invalid("direction", "faxout lists outbound faxes; the inbox lists inbound ones")
	}
	sf := store.FaxFilter{Direction: model.Outbound, Status: f.Status, Query: f.Query, From: f.From, To: f.To,
		UserID: f.UserID}
	switch {
	case actor.IsAdmin():
		sf.TenantID = f.TenantID
	case actor.TenantID == "":
		return nil, "", model.ErrForbidden
	case actor.Role != model.RoleTenant:
		sf.UserID = actor.UserID
	}
	return s.st.ListFaxes(ctx, actor.Scope(), sf, o)
}

// Count counts the outbound faxes the actor may see matching f (dashboards).
func (s *Service) Count(ctx context.Context, actor model.Actor, f ListFilter) (int, error) {
	if f.Direction != "" && f.Direction != model.Outbound {
		return 0, model.Invalid("direction", "faxout counts outbound faxes; the inbox counts inbound ones")
	}
	sf := store.FaxFilter{Direction: model.Outbound, Status: f.Status, Query: f.Query, From: f.From, To: f.To,
		UserID: f.UserID}
	switch {
	case actor.IsAdmin():
		sf.TenantID = f.TenantID
	case actor.TenantID == "":
		return 0, model.ErrForbidden
	case actor.Role != model.RoleTenant:
		sf.UserID = actor.UserID
	}
	return s.st.CountFaxes(ctx, actor.Scope(), sf)
}

// Timeline returns a visible fax's events, oldest first.
func (s *Service) Timeline(ctx context.Context, actor model.Actor, id string) ([]model.FaxEvent, error) {
	f, err := s.visible(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.st.ListFaxEvents(ctx, model.TenantScope(f.TenantID), f.ID)
}

// UsageReport is a tenant's page use against its limits (0 = no limit).
type UsageReport struct {
	TenantID string
	Day      model.Usage
	Month    model.Usage
	// Pending counts the pages of faxes not yet final: they count against
	// the limits when a new fax is submitted.
	Pending      int
	DailyLimit   int
	MonthlyLimit int
	// WarnDaily/WarnMonthly are set at 80 % of a limit (delivered plus
	// pending): the portal warns.
	WarnDaily, WarnMonthly bool
}

// WarnShare is the share of a page limit at which the portal warns.
const WarnShare = 0.8

// Usage reports a tenant's page use (tenantID "" = the actor's tenant).
func (s *Service) Usage(ctx context.Context, actor model.Actor, tenantID string) (UsageReport, error) {
	if tenantID == "" {
		tenantID = actor.TenantID
	}
	t, err := s.st.GetTenant(ctx, actor.Scope(), tenantID)
	if err != nil {
		return UsageReport{}, err
	}
	day, month, err := s.st.GetUsage(ctx, actor.Scope(), t.ID, s.clock())
	if err != nil {
		return UsageReport{}, err
	}
	pending, err := s.st.PendingPages(ctx, actor.Scope(), t.ID)
	if err != nil {
		return UsageReport{}, err
	}
	r := UsageReport{TenantID: t.ID, Day: day, Month: month, Pending: pending, DailyLimit: t.DailyPageLimit,
		MonthlyLimit: t.MonthlyPageLimit}
	warn := func(used, limit int) bool { return limit > 0 && float64(used+pending) >= WarnShare*float64(limit) }
	r.WarnDaily, r.WarnMonthly = warn(day.Pages, t.DailyPageLimit), warn(month.Pages, t.MonthlyPageLimit)
	return r, nil
}
