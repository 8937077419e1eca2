package store

import (
	"context"
	"errors"
	"strings"

	"faxgate/internal/model"
)

const brandingCols = `tenant_id, domain, company_name, title, footer, logo_type, logo_updated_at, updated_at`

func scanBranding(r rowScanner) (model.Branding, error) {
	var b model.Branding
	err := r.Scan(&b.TenantID, scanStr(&b.Domain), &b.CompanyName, &b.Title, &b.Footer, &b.LogoType,
		scanTime(&b.LogoUpdatedAt), scanTime(&b.UpdatedAt))
	return b, err
}

// GetBranding returns the tenant's branding (without the logo bytes), or
// ErrNotFound when the tenant never saved any.
func (s *Store) GetBranding(ctx context.Context, tenantID string) (model.Branding, error) {
	row := s.rdb.QueryRowContext(ctx, `SELECT `+brandingCols+` FROM branding WHERE tenant_id = $1`, tenantID)
	b, err := scanBranding(row)
	return b, s.mapErr(err)
}

// GetBrandingByDomain returns the branding whose domain is the host name
// (compared in lower case), or ErrNotFound.
func (s *Store) GetBrandingByDomain(ctx context.Context, domain string) (model.Branding, error) {
	domain = strings.ToLower(domain)
	if domain == "" {
		return model.Branding{}, model.ErrNotFound
	}
	row := s.rdb.QueryRowContext(ctx, `SELECT `+brandingCols+` FROM branding WHERE domain = $1`, domain)
	b, err := scanBranding(row)
	return b, s.mapErr(err)
}

// UpsertBranding creates or replaces the tenant's domain, company name,
// title and footer (the logo is kept) and sets UpdatedAt. A domain used by
// another tenant is a *model.ConflictError{Field: "domain"}; an unknown
// tenant is ErrNotFound.
func (s *Store) UpsertBranding(ctx context.Context, b *model.Branding) error {
	updated := now()
	domain := strings.ToLower(b.Domain)
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO branding (tenant_id, domain, company_name, title, footer, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant_id) DO UPDATE SET domain = excluded.domain, company_name = excluded.company_name,
			title = excluded.title, footer = excluded.footer, updated_at = excluded.updated_at`,
		b.TenantID, nullStr(domain), b.CompanyName, b.Title, b.Footer, s.tv(updated))
	if err := s.brandingErr(err); err != nil {
		return err
	}
	b.Domain = domain
	b.UpdatedAt = updated
	return nil
}

// SetBrandingLogo stores the tenant's logo and its MIME type (data nil
// removes it), creating an empty branding row when none exists. Size and
// content checks belong to the caller.
func (s *Store) SetBrandingLogo(ctx context.Context, tenantID, contentType string, data []byte) error {
	at := now()
	var logo, logoAt any = data, s.tv(at)
	if data == nil {
		contentType, logo, logoAt = "", nil, nil
	}
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO branding (tenant_id, logo_type, logo, logo_updated_at, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id) DO UPDATE SET logo_type = excluded.logo_type, logo = excluded.logo,
			logo_updated_at = excluded.logo_updated_at, updated_at = excluded.updated_at`,
		tenantID, contentType, logo, logoAt, s.tv(at))
	return s.brandingErr(err)
}

// GetBrandingLogo returns the tenant's logo, or ErrNotFound when there is
// none.
func (s *Store) GetBrandingLogo(ctx context.Context, tenantID string) (string, []byte, error) {
	var ct string
	var data []byte
	err := s.rdb.QueryRowContext(ctx, `SELECT logo_type, logo FROM branding
		WHERE tenant_id = $1 AND logo IS NOT NULL`, tenantID).Scan(&ct, &data)
	if err != nil {
		return "", nil, s.mapErr(err)
	}
	return ct, data, nil
}

// brandingErr maps a branding write error: an unknown tenant (foreign key)
// is ErrNotFound.
func (s *Store) brandingErr(err error) error {
	err = s.mapErr(err)
	if errors.Is(err, errForeignKey) {
		return model.ErrNotFound
	}
	return err
}
