package faxout

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"faxgate/internal/model"
	"faxgate/internal/phone"
	"faxgate/internal/store"
)

const maxCIDLabelLen = 100

// CIDInput adds a number to the caller-ID pool; TenantID "" leaves it
// unassigned. Numbers without + are read in Config.DefaultCountry.
type CIDInput struct {
	Number   string
	TenantID string
	Label    string
}

// CIDPatch changes a pool entry (nil: unchanged; TenantID "" unassigns).
type CIDPatch struct {
	Number   *string
	TenantID *string
	Label    *string
}

// CreateCID adds a caller ID to the pool (admins only).
func (s *Service) CreateCID(ctx context.Context, actor model.Actor, in CIDInput) (model.CallerID, error) {
	if err := adminOnly(actor); err != nil {
		return model.CallerID{}, err
	}
	c := model.CallerID{Number: in.Number, TenantID: in.TenantID, Label: strings.TrimSpace(in.Label)}
	if err := s.checkCID(ctx, &c); err != nil {
		return model.CallerID{}, err
	}
	if err := s.st.CreateCID(ctx, &c); err != nil {
		return model.CallerID{}, err
	}
	s.audit.Record(ctx, actor, model.ActionCIDCreated, "cid", c.ID, c.Number, c.TenantID)
	return c, nil
}

// UpdateCID changes, assigns or unassigns a pool entry (admins only).
func (s *Service) UpdateCID(ctx context.Context, actor model.Actor, id string, p CIDPatch) (model.CallerID, error) {
	if err := adminOnly(actor); err != nil {
		return model.CallerID{}, err
	}
	c, err := s.st.GetCID(ctx, model.PlatformScope(), id)
	if err != nil {
		return model.CallerID{}, err
	}
	if p.Number != nil {
		c.Number = *p.Number
	}
	if p.TenantID != nil {
		c.TenantID = *p.TenantID
	}
	if p.Label != nil {
		c.Label = strings.TrimSpace(*p.Label)
	}
	if err := s.checkCID(ctx, &c); err != nil {
		return model.CallerID{}, err
	}
	if err := s.st.UpdateCID(ctx, &c); err != nil {
		return model.CallerID{}, err
	}
	s.audit.Record(ctx, actor, model.ActionCIDUpdated, "cid", c.ID, c.Number, c.TenantID)
	return c, nil
}

// DeleteCID removes a caller ID from the pool (admins only). Faxes that
// used it keep the number.
func (s *Service) DeleteCID(ctx context.Context, actor model.Actor, id string) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	c, err := s.st.GetCID(ctx, model.PlatformScope(), id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteCID(ctx, id); err != nil {
		return err
	}
	s.audit.Record(ctx, actor, model.ActionCIDDeleted, "cid", c.ID, c.Number, c.TenantID)
	return nil
}

// GetCID returns a caller ID: admins any, others only their tenant's
// (model.ErrNotFound otherwise).
func (s *Service) GetCID(ctx context.Context, actor model.Actor, id string) (model.CallerID, error) {
	return s.st.GetCID(ctx, actor.Scope(), id)
}

// ListCIDs lists caller IDs newest first: the whole pool for admins (the
// filter applies), "My CIDs" (the tenant's) for tenant admins and users.
func (s *Service) ListCIDs(ctx context.Context, actor model.Actor, f store.CIDFilter, o model.ListOptions) ([]model.CallerID, string, error) {
	if !actor.IsAdmin() {
		if actor.TenantID == "" {
			return nil, "", model.ErrForbidden
		}
		f.TenantID, f.Unassigned = "", false
	}
	return s.st.ListCIDs(ctx, actor.Scope(), f, o)
}

func (s *Service) checkCID(ctx context.Context, c *model.CallerID) error {
	v := &model.ValidationError{}
	if num, err := phone.Parse(c.Number, s.cfg.DefaultCountry); err != nil {
		v.Add("number", err.Error())
	} else {
		c.Number = num.E164
	}
	if utf8.RuneCountInString(c.Label) > maxCIDLabelLen {
		v.Add("label", fmt.Sprintf("at most %d characters", maxCIDLabelLen))
	}
	if c.TenantID != "" {
		if err := s.checkTenantIDs(ctx, []string{c.TenantID}, v); err != nil {
			return err
		}
		if msg := v.Fields["tenant_ids"]; msg != "" {
			delete(v.Fields, "tenant_ids")
			v.Add("tenant_id", "no such tenant")
		}
	}
	return v.OrNil()
}
