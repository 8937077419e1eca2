package store

import (
	"context"
	"strings"

	"faxgate/internal/model"
)

// TenantFilter narrows ListTenants. Zero fields do not filter.
type TenantFilter struct {
	Query  string // case-insensitive substring of the name or email domain
	Status model.TenantStatus
}

const tenantCols = `id, name, status, daily_page_limit, monthly_page_limit, retention_days,
	email_domain, created_at, updated_at`

func scanTenant(r rowScanner) (model.Tenant, error) {
	var t model.Tenant
	err := r.Scan(&t.ID, &t.Name, &t.Status, &t.DailyPageLimit, &t.MonthlyPageLimit, &t.RetentionDays,
		scanStr(&t.EmailDomain), scanTime(&t.CreatedAt), scanTime(&t.UpdatedAt))
	return t, err
}

// CreateTenant inserts t, setting its ID, CreatedAt and UpdatedAt. A name
// (case-insensitive) or email domain already in use is a
// *model.ConflictError for "name" or "email_domain".
func (s *Store) CreateTenant(ctx context.Context, t *model.Tenant) error {
	n := *t
	n.ID = model.NewID(model.PrefixTenant)
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	n.EmailDomain = strings.ToLower(n.EmailDomain)
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO tenants (id, name, name_lc, status, daily_page_limit,
		monthly_page_limit, retention_days, email_domain, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		n.ID, n.Name, strings.ToLower(n.Name), n.Status, n.DailyPageLimit, n.MonthlyPageLimit,
		n.RetentionDays, nullStr(n.EmailDomain), s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err != nil {
		return s.mapErr(err)
	}
	*t = n
	return nil
}

// GetTenant returns the tenant id if the scope allows it, else ErrNotFound.
func (s *Store) GetTenant(ctx context.Context, scope model.Scope, id string) (model.Tenant, error) {
	if !scope.Valid() {
		return model.Tenant{}, ErrInvalidScope
	}
	if !scope.Allows(id) {
		return model.Tenant{}, model.ErrNotFound
	}
	row := s.rdb.QueryRowContext(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = $1`, id)
	t, err := scanTenant(row)
	return t, s.mapErr(err)
}

// UpdateTenant saves every field of t but ID and CreatedAt and sets
// UpdatedAt. The scope must allow t.ID, else ErrNotFound.
func (s *Store) UpdateTenant(ctx context.Context, scope model.Scope, t *model.Tenant) error {
	if !scope.Valid() {
		return ErrInvalidScope
	}
	if !scope.Allows(t.ID) {
		return model.ErrNotFound
	}
	updated := now()
	domain := strings.ToLower(t.EmailDomain)
	err := s.execOne(ctx, `UPDATE tenants SET name = $1, name_lc = $2, status = $3, daily_page_limit = $4,
		monthly_page_limit = $5, retention_days = $6, email_domain = $7, updated_at = $8 WHERE id = $9`,
		t.Name, strings.ToLower(t.Name), t.Status, t.DailyPageLimit, t.MonthlyPageLimit, t.RetentionDays,
		nullStr(domain), s.tv(updated), t.ID)
	if err != nil {
		return err
	}
	t.EmailDomain = domain
	t.UpdatedAt = updated
	return nil
}

// ListTenants lists tenants newest first. It is for platform admins only;
// the caller checks that.
func (s *Store) ListTenants(ctx context.Context, f TenantFilter, o model.ListOptions) ([]model.Tenant, string, error) {
	p := page[model.Tenant]{
		base:    `SELECT ` + tenantCols + ` FROM tenants`,
		timeCol: "created_at", idCol: "id",
		scan: scanTenant,
		key:  func(t model.Tenant) cursor { return cursor{t.CreatedAt, t.ID} },
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		p.w.add(`name_lc LIKE ? ESCAPE '\' OR email_domain LIKE ? ESCAPE '\'`, pat, pat)
	}
	if f.Status != "" {
		p.w.add("status = ?", f.Status)
	}
	return p.run(ctx, s, o)
}

// CountTenants counts every tenant.
func (s *Store) CountTenants(ctx context.Context) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM tenants`).Scan(&n)
	return n, s.mapErr(err)
}
