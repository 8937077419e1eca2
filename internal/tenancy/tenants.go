package tenancy

import (
	"context"
	"fmt"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TenantInput creates or changes a tenant. On update, zero/nil fields keep
// their value; on create, nil limits mean 0 (unlimited) and a nil retention
// means the platform's default for new tenants (30 days until an admin
// changes it). Retention must lie within the platform's minimum and maximum.
type TenantInput struct {
	Name             string
	Status           model.TenantStatus
	DailyPageLimit   *int
	MonthlyPageLimit *int
	RetentionDays    *int
	EmailDomain      *string
}

// CreateTenant creates a tenant (platform admins only).
func (s *Service) CreateTenant(ctx context.Context, actor model.Actor, in TenantInput) (model.Tenant, error) {
	if err := requireAdmin(actor); err != nil {
		return model.Tenant{}, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return model.Tenant{}, model.Invalid("name", "is required")
	}
	p, err := s.st.GetPlatformSettings(ctx, model.PlatformScope())
	if err != nil {
		return model.Tenant{}, err
	}
	t := model.Tenant{Status: model.TenantActive, RetentionDays: p.ClampRetention(p.RetentionDefaultDays)}
	if err := applyTenant(&t, in, p); err != nil {
		return model.Tenant{}, err
	}
	if err := s.st.CreateTenant(ctx, &t); err != nil {
		return model.Tenant{}, err
	}
	s.au.Record(ctx, actor, model.ActionTenantCreated, "tenant", t.ID, fmt.Sprintf("%q created", t.Name), t.ID)
	return t, nil
}

// UpdateTenant changes a tenant (platform admins only); suspending it stops
// its users' logins, sessions and API keys at once.
func (s *Service) UpdateTenant(ctx context.Context, actor model.Actor, id string, in TenantInput) (model.Tenant, error) {
	if err := requireAdmin(actor); err != nil {
		return model.Tenant{}, err
	}
	old, err := s.st.GetTenant(ctx, model.PlatformScope(), id)
	if err != nil {
		return model.Tenant{}, err
	}
	p, err := s.st.GetPlatformSettings(ctx, model.PlatformScope())
	if err != nil {
		return model.Tenant{}, err
	}
	t := old
	if err := applyTenant(&t, in, p); err != nil {
		return model.Tenant{}, err
	}
	changes := tenantChanges(old, t)
	if len(changes) == 0 {
		return old, nil
	}
	if err := s.st.UpdateTenant(ctx, model.PlatformScope(), &t); err != nil {
		return model.Tenant{}, err
	}
	s.au.Record(ctx, actor, model.ActionTenantUpdated, "tenant", t.ID, fmt.Sprintf("%q: %s", t.Name, strings.Join(changes, ", ")), t.ID)
	return t, nil
}

// GetTenant returns a tenant: admins any, everyone else only their own
// (another tenant is model.ErrNotFound).
func (s *Service) GetTenant(ctx context.Context, actor model.Actor, id string) (model.Tenant, error) {
	if err := checkActor(actor); err != nil {
		return model.Tenant{}, err
	}
	return s.st.GetTenant(ctx, actor.Scope(), id)
}

// ListTenants lists tenants for admins; anyone else gets a one-item list
// with their own tenant (what a tenant picker needs), ignoring the filter.
func (s *Service) ListTenants(ctx context.Context, actor model.Actor, f store.TenantFilter, o model.ListOptions) ([]model.Tenant, string, error) {
	if err := checkActor(actor); err != nil {
		return nil, "", err
	}
	if !actor.IsAdmin() {
		t, err := s.st.GetTenant(ctx, actor.Scope(), actor.TenantID)
		if err != nil {
			return nil, "", err
		}
		return []model.Tenant{t}, "", nil
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, "", model.Invalid("status", "must be active or suspended")
	}
	f.Query = strings.TrimSpace(f.Query)
	return s.st.ListTenants(ctx, f, o.Normalize(50, 500))
}

// CountTenants counts tenants (admins only).
func (s *Service) CountTenants(ctx context.Context, actor model.Actor) (int, error) {
	if err := requireAdmin(actor); err != nil {
		return 0, err
	}
	return s.st.CountTenants(ctx)
}

func requireAdmin(a model.Actor) error {
	if err := checkActor(a); err != nil {
		return err
	}
	if !a.IsAdmin() {
		return fmt.Errorf("%w: only platform admins manage tenants", model.ErrForbidden)
	}
	return nil
}

// applyTenant validates in and copies its set fields onto t; p gives the
// retention bounds.
func applyTenant(t *model.Tenant, in TenantInput, p model.PlatformSettings) error {
	v := &model.ValidationError{}
	if in.Name != "" {
		t.Name = normText(v, "name", in.Name, maxTenantName)
		if len([]rune(t.Name)) < minTenantName {
			v.Add("name", fmt.Sprintf("must be at least %d characters", minTenantName))
		}
	}
	if in.Status != "" {
		if !in.Status.Valid() {
			v.Add("status", "must be active or suspended")
		}
		t.Status = in.Status
	}
	setInt(v, "daily_page_limit", in.DailyPageLimit, 0, maxPageLimit, &t.DailyPageLimit)
	setInt(v, "monthly_page_limit", in.MonthlyPageLimit, 0, maxPageLimit, &t.MonthlyPageLimit)
	setInt(v, "retention_days", in.RetentionDays, p.RetentionMinDays, p.RetentionMaxDays, &t.RetentionDays)
	if in.EmailDomain != nil {
		t.EmailDomain = normHost(v, "email_domain", *in.EmailDomain)
	}
	return v.OrNil()
}

func setInt(v *model.ValidationError, field string, p *int, lo, hi int, dst *int) {
	if p == nil {
		return
	}
	if *p < lo || *p > hi {
		v.Add(field, fmt.Sprintf("must be between %d and %d", lo, hi))
	}
	*dst = *p
}

// tenantChanges describes what differs between two versions of a tenant.
func tenantChanges(a, b model.Tenant) []string {
	var c []string
	diff := func(name string, x, y any) {
		if x != y {
			c = append(c, fmt.Sprintf("%s %v → %v", name, x, y))
		}
	}
	diff("name", a.Name, b.Name)
	diff("status", a.Status, b.Status)
	diff("daily_page_limit", a.DailyPageLimit, b.DailyPageLimit)
	diff("monthly_page_limit", a.MonthlyPageLimit, b.MonthlyPageLimit)
	diff("retention_days", a.RetentionDays, b.RetentionDays)
	diff("email_domain", a.EmailDomain, b.EmailDomain)
	return c
}
