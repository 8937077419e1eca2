package faxin

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/phone"
	"faxgate/internal/store"
)

// DIDInput adds one DID to the pool (assigned at once when TenantID is set).
type DIDInput struct {
	Number   string
	TenantID string
	Label    string
}

// AddResult tells what a range or CSV import did.
type AddResult struct {
	Created  []model.DID
	Existing []string // numbers already in the pool, left alone
	Invalid  []string // "line 3: not a valid phone number for US: 555" (CSV) or the number (range)
}

// AddDID adds one number to the pool. A number already in the pool is a
// *model.ConflictError{"number"}.
func (s *Service) AddDID(ctx context.Context, actor model.Actor, in DIDInput) (model.DID, error) {
	if err := requireAdmin(actor); err != nil {
		return model.DID{}, err
	}
	num, err := phone.Normalize(in.Number, s.cfg.DefaultCountry)
	if err != nil {
		return model.DID{}, model.Invalid("number", err.Error())
	}
	d := &model.DID{Number: num}
	if err := s.prepareNew(ctx, d, in.TenantID, in.Label); err != nil {
		return model.DID{}, err
	}
	if _, err := s.st.CreateDIDs(ctx, []*model.DID{d}, false); err != nil {
		return model.DID{}, err
	}
	s.au.Record(ctx, actor, model.ActionDIDCreated, "did", d.ID, "DID "+d.Number+assignedTo(d.TenantID), d.TenantID)
	return *d, nil
}

func assignedTo(tenantID string) string {
	if tenantID == "" {
		return ""
	}
	return ", assigned to tenant " + tenantID
}

// prepareNew checks the tenant and label of new DIDs and fills them in.
func (s *Service) prepareNew(ctx context.Context, d *model.DID, tenantID, label string) error {
	if err := s.checkTenant(ctx, tenantID); err != nil {
		return err
	}
	return s.fillNew(d, tenantID, label)
}

// checkTenant refuses an unknown tenant id ("" = none, fine).
func (s *Service) checkTenant(ctx context.Context, tenantID string) error {
	if tenantID == "" {
		return nil
	}
	if _, err := s.st.GetTenant(ctx, model.PlatformScope(), tenantID); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return model.Invalid("tenant_id", "no such tenant")
		}
		return err
	}
	return nil
}

// fillNew sets the label, default action and assignment of a new DID.
func (s *Service) fillNew(d *model.DID, tenantID, label string) error {
	label = strings.TrimSpace(label)
	if len([]rune(label)) > model.MaxDIDLabelLen {
		return model.Invalid("label", fmt.Sprintf("must be at most %d characters", model.MaxDIDLabelLen))
	}
	d.Label, d.Action = label, model.DIDInbox
	if tenantID != "" {
		d.TenantID, d.AssignedAt = tenantID, s.now()
	}
	return nil
}

// AddDIDRange adds every number from..to (inclusive, E.164 of the same
// length, at most Config.MaxRange numbers, e.g. "+12025550100" to
// "+12025550199"). Numbers already in the pool are skipped and reported;
// numbers that are not valid phone numbers are reported and not added.
func (s *Service) AddDIDRange(ctx context.Context, actor model.Actor, from, to, tenantID, label string) (AddResult, error) {
	if err := requireAdmin(actor); err != nil {
		return AddResult{}, err
	}
	lo, hi, width, err := s.parseRange(from, to)
	if err != nil {
		return AddResult{}, err
	}
	if err := s.checkTenant(ctx, tenantID); err != nil {
		return AddResult{}, err
	}
	var res AddResult
	var dids []*model.DID
	for n := lo; n <= hi; n++ {
		num := "+" + fmt.Sprintf("%0*d", width, n)
		if _, err := phone.Normalize(num, ""); err != nil {
			res.Invalid = append(res.Invalid, num)
			continue
		}
		d := &model.DID{Number: num}
		if err := s.fillNew(d, tenantID, label); err != nil {
			return AddResult{}, err
		}
		dids = append(dids, d)
	}
	return s.createBatch(ctx, actor, dids, res, "range "+from+"-"+to)
}

// parseRange normalises both ends and bounds the count; width is the
// number of digits.
func (s *Service) parseRange(from, to string) (lo, hi uint64, width int, err error) {
	v := &model.ValidationError{}
	a, err := phone.Normalize(from, s.cfg.DefaultCountry)
	if err != nil {
		v.Add("from", err.Error())
	}
	b, err := phone.Normalize(to, s.cfg.DefaultCountry)
	if err != nil {
		v.Add("to", err.Error())
	}
	if err := v.OrNil(); err != nil {
		return 0, 0, 0, err
	}
	if len(a) != len(b) {
		return 0, 0, 0, model.Invalid("to", "must have as many digits as from")
	}
	lo, _ = strconv.ParseUint(a[1:], 10, 64) // E.164: digits only after +
	hi, _ = strconv.ParseUint(b[1:], 10, 64)
	switch {
	case hi < lo:
		return 0, 0, 0, model.Invalid("to", "must not be below from")
	case hi-lo >= uint64(s.cfg.MaxRange):
		return 0, 0, 0, model.Invalid("to", fmt.Sprintf("a range holds at most %d numbers", s.cfg.MaxRange))
	}
	return lo, hi, len(a) - 1, nil
}

// createBatch stores dids (skipping existing numbers) and audits once.
func (s *Service) createBatch(ctx context.Context, actor model.Actor, dids []*model.DID, res AddResult, what string) (AddResult, error) {
	if len(dids) > 0 {
		existing, err := s.st.CreateDIDs(ctx, dids, true)
		if err != nil {
			return AddResult{}, err
		}
		res.Existing = existing
	}
	for _, d := range dids {
		if d.ID != "" {
			res.Created = append(res.Created, *d)
		}
	}
	tenantID := ""
	if len(dids) > 0 {
		tenantID = dids[0].TenantID
	}
	s.au.Record(ctx, actor, model.ActionDIDCreated, "did", "", fmt.Sprintf("%s: %d added, %d already in the pool, %d invalid",
		what, len(res.Created), len(res.Existing), len(res.Invalid)), tenantID)
	return res, nil
}

// ImportDIDs adds the numbers of a CSV file: one number per line in the
// first column, an optional label in the second; a first line that is not
// a number (a header) is skipped; at most Config.MaxRange lines. Invalid
// lines are reported with their line number, existing numbers skipped.
func (s *Service) ImportDIDs(ctx context.Context, actor model.Actor, r io.Reader, tenantID string) (AddResult, error) {
	if err := requireAdmin(actor); err != nil {
		return AddResult{}, err
	}
	if err := s.checkTenant(ctx, tenantID); err != nil {
		return AddResult{}, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord, cr.TrimLeadingSpace, cr.Comment = -1, true, '#'
	var res AddResult
	var dids []*model.DID
	seen := map[string]bool{}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return AddResult{}, model.Invalid("file", "not a CSV file: "+err.Error())
		}
		if line > s.cfg.MaxRange+1 {
			return AddResult{}, model.Invalid("file", fmt.Sprintf("at most %d numbers per import", s.cfg.MaxRange))
		}
		if len(rec) == 0 || strings.TrimSpace(rec[0]) == "" {
			continue
		}
		num, err := phone.Normalize(rec[0], s.cfg.DefaultCountry)
		if err != nil {
			if line == 1 {
				continue // a header
			}
			res.Invalid = append(res.Invalid, fmt.Sprintf("line %d: %v", line, err))
			continue
		}
		if seen[num] {
			continue
		}
		seen[num] = true
		label := ""
		if len(rec) > 1 {
			label = rec[1]
		}
		d := &model.DID{Number: num}
		if err := s.fillNew(d, tenantID, label); err != nil {
			res.Invalid = append(res.Invalid, fmt.Sprintf("line %d: %v", line, err))
			continue
		}
		dids = append(dids, d)
	}
	return s.createBatch(ctx, actor, dids, res, "CSV import")
}

// AssignDID gives a DID to a tenant (admins). Its routing starts empty
// (action inbox, no user, emails, webhook or station id), also when it
// moves from another tenant.
func (s *Service) AssignDID(ctx context.Context, actor model.Actor, id, tenantID string) (model.DID, error) {
	if err := requireAdmin(actor); err != nil {
		return model.DID{}, err
	}
	d, err := s.st.GetDID(ctx, model.PlatformScope(), id)
	if err != nil {
		return model.DID{}, err
	}
	if tenantID == "" {
		return model.DID{}, model.Invalid("tenant_id", "is required")
	}
	if d.TenantID == tenantID {
		return d, nil
	}
	if err := s.prepareNew(ctx, &d, tenantID, d.Label); err != nil {
		return model.DID{}, err
	}
	d.ClearRouting()
	if err := s.st.UpdateDID(ctx, &d); err != nil {
		return model.DID{}, err
	}
	s.au.Record(ctx, actor, model.ActionDIDAssigned, "did", d.ID, "DID "+d.Number+" assigned to tenant "+tenantID, tenantID)
	return d, nil
}

// ReleaseDID returns a DID to the pool (admins) and clears its routing.
func (s *Service) ReleaseDID(ctx context.Context, actor model.Actor, id string) (model.DID, error) {
	if err := requireAdmin(actor); err != nil {
		return model.DID{}, err
	}
	d, err := s.st.GetDID(ctx, model.PlatformScope(), id)
	if err != nil {
		return model.DID{}, err
	}
	old := d.TenantID
	d.TenantID, d.AssignedAt = "", timeZero
	d.ClearRouting()
	if err := s.st.UpdateDID(ctx, &d); err != nil {
		return model.DID{}, err
	}
	s.au.Record(ctx, actor, model.ActionDIDReleased, "did", d.ID, "DID "+d.Number+" released", old)
	return d, nil
}

// DeleteDID removes a DID from the pool (admins). Faxes received on it keep
// its number.
func (s *Service) DeleteDID(ctx context.Context, actor model.Actor, id string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	d, err := s.st.GetDID(ctx, model.PlatformScope(), id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteDID(ctx, id); err != nil {
		return err
	}
	s.au.Record(ctx, actor, model.ActionDIDDeleted, "did", d.ID, "DID "+d.Number+" deleted", d.TenantID)
	return nil
}

// GetDID returns a DID the actor may see: admins any, tenant admins their
// tenant's, users those routed to them (without the webhook secret).
func (s *Service) GetDID(ctx context.Context, actor model.Actor, id string) (model.DID, error) {
	if err := checkActor(actor); err != nil {
		return model.DID{}, err
	}
	d, err := s.st.GetDID(ctx, actor.Scope(), id)
	if err != nil {
		return model.DID{}, err
	}
	if actor.Role == model.RoleUser {
		if d.UserID != actor.UserID {
			return model.DID{}, model.ErrNotFound
		}
		d.WebhookSecret = ""
	}
	return d, nil
}

// ListDIDs lists the DIDs the actor may see, newest first: admins the pool
// (filters as given), tenant admins their tenant's ("My DIDs"), users the
// DIDs routed to them.
func (s *Service) ListDIDs(ctx context.Context, actor model.Actor, f store.DIDFilter, o model.ListOptions) ([]model.DID, string, error) {
	if err := checkActor(actor); err != nil {
		return nil, "", err
	}
	if !actor.IsAdmin() {
		f.TenantID, f.Unassigned = "", false
	}
	if actor.Role == model.RoleUser {
		f.UserID = actor.UserID
	}
	items, next, err := s.st.ListDIDs(ctx, actor.Scope(), f, o)
	if actor.Role == model.RoleUser {
		for i := range items {
			items[i].WebhookSecret = ""
		}
	}
	return items, next, err
}

// RoutingInput changes a DID's routing; nil fields stay as they are.
type RoutingInput struct {
	Action        *model.DIDAction
	ForwardEmails *[]string
	UserID        *string // "" = nobody (tenant admins only see its faxes)
	WebhookURL    *string // "" = none
	StationID     *string
}

// UpdateRouting changes how faxes to one of the tenant's DIDs are handled
// (tenant admins for their tenant's DIDs, admins for any assigned DID).
// Field errors use the JSON names action, forward_emails, user_id,
// webhook_url, station_id. Action email needs at least one address.
func (s *Service) UpdateRouting(ctx context.Context, actor model.Actor, id string, in RoutingInput) (model.DID, error) {
	d, err := s.GetDID(ctx, actor, id)
	if err != nil {
		return model.DID{}, err
	}
	if actor.Role == model.RoleUser {
		return model.DID{}, fmt.Errorf("%w: only tenant admins route DIDs", model.ErrForbidden)
	}
	if !d.Assigned() {
		return model.DID{}, model.Invalid("tenant_id", "the DID is not assigned to a tenant")
	}
	v := &model.ValidationError{}
	s.applyRouting(ctx, v, &d, in)
	if err := v.OrNil(); err != nil {
		return model.DID{}, err
	}
	if err := s.st.UpdateDID(ctx, &d); err != nil {
		return model.DID{}, err
	}
	s.au.Record(ctx, actor, model.ActionDIDRouted, "did", d.ID, fmt.Sprintf("DID %s: action %s, %d email(s), user %q, webhook %t",
		d.Number, d.Action, len(d.ForwardEmails), d.UserID, d.WebhookURL != ""), d.TenantID)
	return d, nil
}

// applyRouting validates in and applies it to d, collecting field errors.
func (s *Service) applyRouting(ctx context.Context, v *model.ValidationError, d *model.DID, in RoutingInput) {
	if in.Action != nil {
		if !in.Action.Valid() {
			v.Add("action", "must be email, inbox or reject")
		}
		d.Action = *in.Action
	}
	if in.ForwardEmails != nil {
		d.ForwardEmails = checkEmails(v, *in.ForwardEmails)
	}
	if d.Action == model.DIDEmail && len(d.ForwardEmails) == 0 {
		v.Add("forward_emails", "at least one address is needed to forward faxes by email")
	}
	if in.UserID != nil {
		s.checkUser(ctx, v, d, *in.UserID)
	}
	if in.WebhookURL != nil {
		s.checkWebhook(ctx, v, d, strings.TrimSpace(*in.WebhookURL))
	}
	if in.StationID != nil {
		d.StationID = strings.TrimSpace(*in.StationID)
		if err := checkStationID(d.StationID); err != "" {
			v.Add("station_id", err)
		}
	}
}

func checkEmails(v *model.ValidationError, list []string) []string {
	if len(list) > model.MaxDIDForwardEmails {
		v.Add("forward_emails", fmt.Sprintf("at most %d addresses", model.MaxDIDForwardEmails))
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, raw := range list {
		e := strings.TrimSpace(raw)
		a, err := mail.ParseAddress(e)
		if err != nil || a.Address != e || len(e) > 254 {
			v.Add("forward_emails", fmt.Sprintf("%q is not a valid email address", clipText(raw, 100)))
			return nil
		}
		if !seen[strings.ToLower(e)] {
			seen[strings.ToLower(e)] = true
			out = append(out, e)
		}
	}
	return out
}

func (s *Service) checkUser(ctx context.Context, v *model.ValidationError, d *model.DID, id string) {
	if id != "" {
		if _, err := s.st.GetUser(ctx, model.TenantScope(d.TenantID), id); err != nil {
			v.Add("user_id", "no such user in this tenant")
			return
		}
	}
	d.UserID = id
}

func (s *Service) checkWebhook(ctx context.Context, v *model.ValidationError, d *model.DID, raw string) {
	if raw == "" {
		d.WebhookURL, d.WebhookSecret = "", ""
		return
	}
	if len(raw) > model.MaxDIDWebhookURLLen {
		v.Add("webhook_url", fmt.Sprintf("must be at most %d characters", model.MaxDIDWebhookURLLen))
		return
	}
	u := raw
	if s.wh != nil {
		checked, err := s.wh.CheckURL(ctx, "webhook_url", raw)
		if err != nil {
			var ve *model.ValidationError
			if errors.As(err, &ve) {
				for k, r := range ve.Fields {
					v.Add(k, r)
				}
				return
			}
			v.Add("webhook_url", err.Error())
			return
		}
		u = checked
	} else if p, err := url.Parse(raw); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		v.Add("webhook_url", "must be an http or https URL")
		return
	}
	d.WebhookURL = u
	if d.WebhookSecret == "" {
		d.WebhookSecret = notify.NewWebhookSecret()
	}
}

// checkStationID returns why id is not a usable CSID, or "".
func checkStationID(id string) string {
	if len(id) > model.MaxStationIDLen {
		return fmt.Sprintf("must be at most %d characters", model.MaxStationIDLen)
	}
	for _, r := range id {
		if r < 0x20 || r > 0x7e {
			return "only printable ASCII characters (letters, digits, spaces, + and punctuation)"
		}
	}
	return ""
}

func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "..."
	}
	return s
}
