package tenancy

import (
	"context"
	"fmt"
	"strings"

	"faxgate/internal/model"
)

// BrandingInput changes a tenant's branding; nil fields keep their value,
// an empty Domain removes the domain.
type BrandingInput struct {
	Domain, CompanyName, Title, Footer *string
}

// GetBranding returns a tenant's branding as stored (empty texts fall back to
// the faxgate defaults). tenantID "" means the actor's own tenant; another
// tenant is model.ErrNotFound for non-admins. A tenant that never saved any
// gets the defaults with TenantID set.
func (s *Service) GetBranding(ctx context.Context, actor model.Actor, tenantID string) (model.Branding, error) {
	if err := checkActor(actor); err != nil {
		return model.Branding{}, err
	}
	if actor.IsAdmin() && tenantID == "" {
		return model.DefaultBranding(), nil
	}
	id, err := ownTenant(actor, tenantID)
	if err != nil {
		return model.Branding{}, err
	}
	return s.branding(ctx, id)
}

// branding loads a tenant's branding with defaults filled in; an unknown
// tenant is model.ErrNotFound.
func (s *Service) branding(ctx context.Context, tenantID string) (model.Branding, error) {
	b, err := s.st.GetBranding(ctx, tenantID)
	if isNotFound(err) {
		if _, err := s.st.GetTenant(ctx, model.PlatformScope(), tenantID); err != nil {
			return model.Branding{}, err
		}
		b, err = model.Branding{TenantID: tenantID}, nil
	}
	if err != nil {
		return model.Branding{}, err
	}
	return withDefaults(b), nil
}

// withDefaults fills empty texts from model.DefaultBranding.
func withDefaults(b model.Branding) model.Branding {
	d := model.DefaultBranding()
	if b.CompanyName == "" {
		b.CompanyName = d.CompanyName
	}
	if b.Title == "" {
		b.Title = d.Title
	}
	if b.Footer == "" {
		b.Footer = d.Footer
	}
	return b
}

// mayBrand resolves the tenant whose branding the actor wants to change:
// admins any (named) tenant, tenant admins their own; users are refused.
func mayBrand(actor model.Actor, tenantID string) (string, error) {
	if err := checkActor(actor); err != nil {
		return "", err
	}
	id, err := ownTenant(actor, tenantID)
	if err != nil {
		return "", err
	}
	if actor.Role == model.RoleUser {
		return "", fmt.Errorf("%w: only tenant admins change the branding", model.ErrForbidden)
	}
	return id, nil
}

// UpdateBranding changes the branding texts and domain (admins: any tenant,
// tenant admins: their own). A domain taken by another tenant is a
// *model.ConflictError{Field: "domain"}.
func (s *Service) UpdateBranding(ctx context.Context, actor model.Actor, tenantID string, in BrandingInput) (model.Branding, error) {
	id, err := mayBrand(actor, tenantID)
	if err != nil {
		return model.Branding{}, err
	}
	old, err := s.st.GetBranding(ctx, id)
	if isNotFound(err) {
		old, err = model.Branding{TenantID: id}, nil
	}
	if err != nil {
		return model.Branding{}, err
	}
	b, err := applyBranding(old, in)
	if err != nil {
		return model.Branding{}, err
	}
	changes := brandingChanges(old, b)
	if len(changes) == 0 {
		return withDefaults(old), nil
	}
	if err := s.st.UpsertBranding(ctx, &b); err != nil {
		return model.Branding{}, err
	}
	s.au.Record(ctx, actor, model.ActionBrandingUpdated, "branding", id, strings.Join(changes, ", "), id)
	return withDefaults(b), nil
}

func applyBranding(b model.Branding, in BrandingInput) (model.Branding, error) {
	v := &model.ValidationError{}
	if in.Domain != nil {
		b.Domain = normHost(v, "domain", *in.Domain)
	}
	if in.CompanyName != nil {
		b.CompanyName = normText(v, "company_name", *in.CompanyName, maxNameLen)
	}
	if in.Title != nil {
		b.Title = normText(v, "title", *in.Title, maxTitleLen)
	}
	if in.Footer != nil {
		b.Footer = normText(v, "footer", *in.Footer, maxFooterLen)
	}
	return b, v.OrNil()
}

func brandingChanges(a, b model.Branding) []string {
	var c []string
	diff := func(name, x, y string) {
		if x != y {
			c = append(c, fmt.Sprintf("%s %q → %q", name, x, y))
		}
	}
	diff("domain", a.Domain, b.Domain)
	diff("company_name", a.CompanyName, b.CompanyName)
	diff("title", a.Title, b.Title)
	diff("footer", a.Footer, b.Footer)
	return c
}

// SetLogo stores a tenant's logo after checking it (see CheckLogo):
// PNG or JPEG up to 4096×4096, or an SVG without scripts, event handlers,
// foreign objects or external references; at most 512 KiB.
func (s *Service) SetLogo(ctx context.Context, actor model.Actor, tenantID string, data []byte) (model.Branding, error) {
	id, err := mayBrand(actor, tenantID)
	if err != nil {
		return model.Branding{}, err
	}
	ct, err := CheckLogo(data)
	if err != nil {
		return model.Branding{}, err
	}
	if err := s.st.SetBrandingLogo(ctx, id, ct, data); err != nil {
		return model.Branding{}, err
	}
	s.au.Record(ctx, actor, model.ActionBrandingUpdated, "branding", id,
		fmt.Sprintf("logo uploaded (%s, %d bytes)", ct, len(data)), id)
	return s.branding(ctx, id)
}

// RemoveLogo deletes a tenant's logo.
func (s *Service) RemoveLogo(ctx context.Context, actor model.Actor, tenantID string) error {
	id, err := mayBrand(actor, tenantID)
	if err != nil {
		return err
	}
	b, err := s.branding(ctx, id)
	if err != nil {
		return err
	}
	if !b.HasLogo() {
		return nil
	}
	if err := s.st.SetBrandingLogo(ctx, id, "", nil); err != nil {
		return err
	}
	s.au.Record(ctx, actor, model.ActionBrandingUpdated, "branding", id, "logo removed", id)
	return nil
}

// Logo returns a tenant's logo for the public logo URL (the login page shows
// it before anyone logs in), or model.ErrNotFound. Serve SVG with
// "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'"
// and "X-Content-Type-Options: nosniff" as a second line of defence.
func (s *Service) Logo(ctx context.Context, tenantID string) (string, []byte, error) {
	if tenantID == "" {
		return "", nil, model.ErrNotFound
	}
	return s.st.GetBrandingLogo(ctx, tenantID)
}

// BrandingForHost returns the branding whose domain is the request's host
// (port, brackets and a trailing dot dropped, case ignored) and true, or the
// default branding and false. A suspended tenant's branding still shows:
// its users see their own brand and then a clear "tenant suspended" at
// login, rather than an unexplained faxgate page.
func (s *Service) BrandingForHost(ctx context.Context, host string) (model.Branding, bool) {
	h := NormalizeHost(host)
	if !validHost(h) {
		return model.DefaultBranding(), false
	}
	b, err := s.st.GetBrandingByDomain(ctx, h)
	if err != nil {
		if !isNotFound(err) {
			s.warn(ctx, "branding by host", "host", h, "err", err)
		}
		return model.DefaultBranding(), false
	}
	return withDefaults(b), true
}

// BrandingForActor returns the branding of the actor's tenant, or the
// default branding for platform admins and on errors.
func (s *Service) BrandingForActor(ctx context.Context, actor model.Actor) model.Branding {
	if actor.TenantID == "" {
		return model.DefaultBranding()
	}
	b, err := s.branding(ctx, actor.TenantID)
	if err != nil {
		if !isNotFound(err) {
			s.warn(ctx, "branding of tenant", "tenant", actor.TenantID, "err", err)
		}
		return model.DefaultBranding()
	}
	return b
}
