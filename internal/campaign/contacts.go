// Package campaign holds the address book behind bulk faxing: contacts,
// contact groups (with streaming CSV import and export) and the
// do-not-contact lists (each tenant's and the platform-wide global one)
// that every send path consults through IsBlocked, and the bulk fax
// campaigns sent to a group (lifecycle, the durable paced sender, the
// schedule window).
//
// Layout: this package is the domain logic only. The campaign and
// recipient types live in internal/model (aliased here, so callers keep
// writing campaign.Campaign) and every SQL statement in internal/store
// (campaigns.go, campaign_recipients.go), each taking a model.Scope. The
// service decides what happens and in which transaction: it opens it with
// store.RunTx and calls the store's *Tx methods inside, so a lifecycle
// change, its recipient moves and its River job commit together.
//
// Permissions: every member of a tenant (tenant admins and users) manages
// the tenant's contacts and groups and adds numbers to its do-not-contact
// list; removing a number from it takes a tenant admin. Platform admins
// manage any tenant's data (naming the tenant when creating) and alone
// manage the global list. Another tenant's objects are model.ErrNotFound.
package campaign

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"faxgate/internal/audit"
	"faxgate/internal/blob"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/phone"
	"faxgate/internal/store"
)

// Service manages contacts, groups and do-not-contact lists.
type Service struct {
	st     *store.Store
	au     *audit.Service
	logger *slog.Logger
	now    func() time.Time
	blobs  blob.Store    // background imports (EnableImportJobs)
	jobs   jobs.Inserter // background imports (EnableImportJobs)
}

// NewService returns a service on st recording to au. A nil logger
// discards, a nil now uses time.Now.
func NewService(st *store.Store, au *audit.Service, logger *slog.Logger, now func() time.Time) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, au: au, logger: logger, now: now}
}

// ContactInput is a new contact. Fax is required and normalised to E.164
// with the tenant's default country; Custom holds up to five values.
// TenantID is for platform admins only (others: "" or their own tenant).
type ContactInput struct {
	TenantID    string
	FirstName   string
	LastName    string
	Fax         string
	Email       string
	Company     string
	Address     string
	Description string
	Custom      []string
}

// ContactPatch changes the non-nil fields of a contact.
type ContactPatch struct {
	FirstName, LastName, Fax, Email, Company, Address, Description *string
	Custom                                                         *[]string
}

// tenantFor resolves which tenant an actor works on: platform admins must
// name one, others work on their own (naming another is ErrNotFound).
func tenantFor(actor model.Actor, tenantID string) (string, error) {
	switch {
	case actor.IsAdmin() && tenantID == "":
		return "", model.Invalid("tenant_id", "required for platform admins")
	case actor.IsAdmin():
		return tenantID, nil
	case !actor.Role.Valid() || actor.TenantID == "":
		return "", model.ErrForbidden
	case tenantID != "" && tenantID != actor.TenantID:
		return "", model.ErrNotFound
	}
	return actor.TenantID, nil
}

// scopeOf is the store scope of an actor, refusing actors without one.
func scopeOf(actor model.Actor) (model.Scope, error) {
	if !actor.Role.Valid() || (!actor.IsAdmin() && actor.TenantID == "") {
		return model.Scope{}, model.ErrForbidden
	}
	return actor.Scope(), nil
}

// country is the tenant's default country for numbers without "+".
func (s *Service) country(ctx context.Context, tenantID string) (string, error) {
	f, err := s.st.GetTenantFaxSettings(ctx, model.PlatformScope(), tenantID)
	if err != nil {
		return "", err
	}
	if f.DefaultCountry == "" {
		return model.DefaultFaxCountry, nil
	}
	return f.DefaultCountry, nil
}

// CreateContact adds a contact to the tenant's address book. Invalid
// fields are a *model.ValidationError, a fax number the tenant has already
// a *model.ConflictError{"fax"}.
func (s *Service) CreateContact(ctx context.Context, actor model.Actor, in ContactInput) (model.Contact, error) {
	tenantID, err := tenantFor(actor, in.TenantID)
	if err != nil {
		return model.Contact{}, err
	}
	country, err := s.country(ctx, tenantID)
	if err != nil {
		return model.Contact{}, err
	}
	c := model.Contact{TenantID: tenantID, FirstName: in.FirstName, LastName: in.LastName, Fax: in.Fax,
		Email: in.Email, Company: in.Company, Address: in.Address, Description: in.Description}
	ve := &model.ValidationError{}
	setCustom(&c, in.Custom, ve)
	if err := validateContact(&c, country, ve); err != nil {
		return model.Contact{}, err
	}
	if err := s.st.CreateContact(ctx, &c); err != nil {
		return model.Contact{}, err
	}
	s.au.Record(ctx, actor, model.ActionContactCreated, "contact", c.ID, c.Fax, tenantID)
	return c, nil
}

func setCustom(c *model.Contact, custom []string, ve *model.ValidationError) {
	if len(custom) > model.MaxContactCustom {
		ve.Add("custom", fmt.Sprintf("at most %d custom fields", model.MaxContactCustom))
		return
	}
	c.Custom = [model.MaxContactCustom]string{}
	copy(c.Custom[:], custom)
}

// GetContact returns a contact the actor may see, else ErrNotFound.
func (s *Service) GetContact(ctx context.Context, actor model.Actor, id string) (model.Contact, error) {
	scope, err := scopeOf(actor)
	if err != nil {
		return model.Contact{}, err
	}
	return s.st.GetContact(ctx, scope, id)
}

// UpdateContact changes the patched fields of a contact (validated as on
// create).
func (s *Service) UpdateContact(ctx context.Context, actor model.Actor, id string, p ContactPatch) (model.Contact, error) {
	c, err := s.GetContact(ctx, actor, id)
	if err != nil {
		return model.Contact{}, err
	}
	country, err := s.country(ctx, c.TenantID)
	if err != nil {
		return model.Contact{}, err
	}
	ve := &model.ValidationError{}
	applyPatch(&c, p, ve)
	if err := validateContact(&c, country, ve); err != nil {
		return model.Contact{}, err
	}
	if err := s.st.UpdateContact(ctx, actor.Scope(), &c); err != nil {
		return model.Contact{}, err
	}
	s.au.Record(ctx, actor, model.ActionContactUpdated, "contact", c.ID, c.Fax, c.TenantID)
	return c, nil
}

func applyPatch(c *model.Contact, p ContactPatch, ve *model.ValidationError) {
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&c.FirstName, p.FirstName}, {&c.LastName, p.LastName}, {&c.Fax, p.Fax}, {&c.Email, p.Email},
		{&c.Company, p.Company}, {&c.Address, p.Address}, {&c.Description, p.Description}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if p.Custom != nil {
		setCustom(c, *p.Custom, ve)
	}
}

// DeleteContact removes a contact (and its group memberships).
func (s *Service) DeleteContact(ctx context.Context, actor model.Actor, id string) error {
	c, err := s.GetContact(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteContact(ctx, actor.Scope(), id); err != nil {
		return err
	}
	s.au.Record(ctx, actor, model.ActionContactDeleted, "contact", c.ID, c.Fax, c.TenantID)
	return nil
}

// ListContacts lists the actor's contacts (platform admins: every
// tenant's), searched, sorted and paginated by f and o. A GroupID the
// actor cannot see is ErrNotFound.
func (s *Service) ListContacts(ctx context.Context, actor model.Actor, f store.ContactFilter, o model.ListOptions) ([]model.Contact, string, error) {
	scope, err := scopeOf(actor)
	if err != nil {
		return nil, "", err
	}
	if f.GroupID != "" {
		if _, err := s.st.GetGroup(ctx, scope, f.GroupID); err != nil {
			return nil, "", err
		}
	}
	return s.st.ListContacts(ctx, scope, f, o)
}

// validateContact trims and checks every field, normalises the fax number
// with the default country and returns the collected field errors.
func validateContact(c *model.Contact, country string, ve *model.ValidationError) error {
	limits := []struct {
		field string
		v     *string
		max   int
	}{
		{"first_name", &c.FirstName, model.MaxContactName}, {"last_name", &c.LastName, model.MaxContactName},
		{"email", &c.Email, model.MaxContactEmail}, {"company", &c.Company, model.MaxContactField},
		{"address", &c.Address, model.MaxContactAddress}, {"description", &c.Description, model.MaxContactDesc},
	}
	for i := range c.Custom {
		limits = append(limits, struct {
			field string
			v     *string
			max   int
		}{fmt.Sprintf("custom%d", i+1), &c.Custom[i], model.MaxContactField})
	}
	for _, l := range limits {
		*l.v = strings.TrimSpace(*l.v)
		if !utf8.ValidString(*l.v) {
			ve.Add(l.field, "is not valid text")
		} else if utf8.RuneCountInString(*l.v) > l.max {
			ve.Add(l.field, fmt.Sprintf("at most %d characters", l.max))
		}
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			ve.Add("email", "not a valid email address")
		}
	}
	if strings.TrimSpace(c.Fax) == "" {
		ve.Add("fax", "required")
	} else if e164, err := phone.Normalize(c.Fax, country); err != nil {
		ve.Add("fax", err.Error())
	} else {
		c.Fax = e164
	}
	return ve.OrNil()
}
