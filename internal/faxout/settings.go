package faxout

import (
	"context"
	"fmt"

	"faxgate/internal/model"
)

// The tenant's own fax settings (default country, retries, retry delay,
// default caller ID, station id, page header) and cover page settings are
// tenancy's ("Configuration > Fax Settings / Cover Page", the settings
// table); faxout reads them for every submission and call. Only the
// tenant's channel cap, a platform decision, is kept here.

// tenantSettings is what submissions and calls need of a tenant's settings.
type tenantSettings struct {
	fax         model.TenantFaxSettings
	cover       model.CoverPageSettings
	maxChannels int // 0: no cap
}

func (s *Service) loadSettings(ctx context.Context, tenantID string) (tenantSettings, error) {
	var ts tenantSettings
	var err error
	scope := model.TenantScope(tenantID)
	if ts.fax, err = s.st.GetTenantFaxSettings(ctx, scope, tenantID); err != nil {
		return ts, err
	}
	if ts.cover, err = s.st.GetCoverPageSettings(ctx, scope, tenantID); err != nil {
		return ts, err
	}
	ts.maxChannels, err = s.st.GetTenantChannelCap(ctx, tenantID)
	return ts, err
}

// ChannelCap returns the most calls the tenant may have at once (0: no cap
// beyond the trunks'): admins for any tenant, others for their own
// (model.ErrNotFound otherwise).
func (s *Service) ChannelCap(ctx context.Context, actor model.Actor, tenantID string) (int, error) {
	if tenantID == "" {
		tenantID = actor.TenantID
	}
	if _, err := s.st.GetTenant(ctx, actor.Scope(), tenantID); err != nil {
		return 0, err
	}
	return s.st.GetTenantChannelCap(ctx, tenantID)
}

// SetChannelCap sets a tenant's channel cap, 0 (none) to MaxTrunkChannels
// (platform admins only). Calls in progress are not cut; new calls wait
// until the tenant is below the cap.
func (s *Service) SetChannelCap(ctx context.Context, actor model.Actor, tenantID string, n int) error {
	if !actor.IsAdmin() {
		return fmt.Errorf("%w: only platform admins set a tenant's channel cap", model.ErrForbidden)
	}
	if n < 0 || n > MaxTrunkChannels {
		return model.Invalid("max_channels", fmt.Sprintf("must be 0 (no cap) to %d", MaxTrunkChannels))
	}
	if _, err := s.st.GetTenant(ctx, model.PlatformScope(), tenantID); err != nil {
		return err
	}
	if err := s.st.SetTenantChannelCap(ctx, tenantID, n); err != nil {
		return err
	}
	s.audit.Record(ctx, actor, model.ActionChannelCapSet, "tenant", tenantID, fmt.Sprintf("max_channels %d", n), tenantID)
	return nil
}
