// Package announce keeps the announcements of Configuration >
// Announcement: a tenant admin posts a message (with an optional expiry)
// for the tenant's users, a platform admin posts platform-wide ones, and
// the dashboard and the login page show those that are active.
package announce

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"faxgate/internal/audit"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// MaxMessage is the longest message, in characters.
const MaxMessage = 1000

// MaxActive bounds how many announcements are shown at once.
const MaxActive = 5

// Service manages announcements.
type Service struct {
	st  *store.Store
	au  *audit.Service
	now func() time.Time
}

// New returns the service; now may be nil (time.Now).
func New(st *store.Store, au *audit.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, au: au, now: now}
}

// Input is a new or changed announcement. Admins set TenantID to post for
// one tenant, or leave it "" for a platform-wide announcement; tenant
// admins always post for their tenant. A zero StartsAt is now; a zero
// ExpiresAt never expires.
type Input struct {
	TenantID  string
	Message   string
	Level     model.AnnouncementLevel
	StartsAt  time.Time
	ExpiresAt time.Time
}

// manager checks that the actor may manage announcements and returns the
// scope it manages them in.
func manager(actor model.Actor) (model.Scope, error) {
	switch {
	case !actor.Role.Valid():
		return model.Scope{}, model.ErrUnauthenticated
	case actor.IsAdmin():
		return model.PlatformScope(), nil
	case actor.Role == model.RoleTenant && actor.TenantID != "":
		return model.TenantScope(actor.TenantID), nil
	}
	return model.Scope{}, model.ErrForbidden
}

func (s *Service) validate(in *Input, creating bool) error {
	v := &model.ValidationError{}
	in.Message = strings.TrimSpace(strings.ReplaceAll(in.Message, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(in.Message); {
	case n == 0:
		v.Add("message", "is required")
	case n > MaxMessage:
		v.Add("message", fmt.Sprintf("at most %d characters", MaxMessage))
	case !utf8.ValidString(in.Message):
		v.Add("message", "must be UTF-8 text")
	}
	if in.Level == "" {
		in.Level = model.AnnouncementInfo
	}
	if !in.Level.Valid() {
		v.Add("level", "must be info or warning")
	}
	now := s.now()
	if in.StartsAt.IsZero() {
		in.StartsAt = now
	}
	if !in.ExpiresAt.IsZero() {
		switch {
		case !in.ExpiresAt.After(in.StartsAt):
			v.Add("expires_at", "must be after the start")
		case creating && !in.ExpiresAt.After(now):
			v.Add("expires_at", "must be in the future")
		}
	}
	return v.OrNil()
}

// Create posts an announcement.
func (s *Service) Create(ctx context.Context, actor model.Actor, in Input) (model.Announcement, error) {
	sc, err := manager(actor)
	if err != nil {
		return model.Announcement{}, err
	}
	if !sc.IsPlatform() {
		in.TenantID = actor.TenantID
	} else if in.TenantID != "" {
		if _, err := s.st.GetTenant(ctx, sc, in.TenantID); err != nil {
			return model.Announcement{}, err
		}
	}
	if err := s.validate(&in, true); err != nil {
		return model.Announcement{}, err
	}
	a := model.Announcement{TenantID: in.TenantID, Message: in.Message, Level: in.Level, StartsAt: in.StartsAt,
		ExpiresAt: in.ExpiresAt, CreatedBy: actor.Email}
	if err := s.st.InsertAnnouncement(ctx, &a); err != nil {
		return model.Announcement{}, err
	}
	s.au.Record(ctx, actor, model.ActionAnnouncementCreated, "announcement", a.ID, describe(a), a.TenantID)
	return a, nil
}

// Get returns an announcement the actor manages.
func (s *Service) Get(ctx context.Context, actor model.Actor, id string) (model.Announcement, error) {
	sc, err := manager(actor)
	if err != nil {
		return model.Announcement{}, err
	}
	return s.st.GetAnnouncement(ctx, sc, id)
}

// Update changes an announcement's message, level and times (TenantID is
// ignored: an announcement stays where it was posted).
func (s *Service) Update(ctx context.Context, actor model.Actor, id string, in Input) (model.Announcement, error) {
	sc, err := manager(actor)
	if err != nil {
		return model.Announcement{}, err
	}
	a, err := s.st.GetAnnouncement(ctx, sc, id)
	if err != nil {
		return model.Announcement{}, err
	}
	if in.StartsAt.IsZero() {
		in.StartsAt = a.StartsAt
	}
	if err := s.validate(&in, false); err != nil {
		return model.Announcement{}, err
	}
	a.Message, a.Level, a.StartsAt, a.ExpiresAt = in.Message, in.Level, in.StartsAt, in.ExpiresAt
	if err := s.st.UpdateAnnouncement(ctx, sc, &a); err != nil {
		return model.Announcement{}, err
	}
	s.au.Record(ctx, actor, model.ActionAnnouncementUpdated, "announcement", a.ID, describe(a), a.TenantID)
	return a, nil
}

// Delete removes an announcement.
func (s *Service) Delete(ctx context.Context, actor model.Actor, id string) error {
	sc, err := manager(actor)
	if err != nil {
		return err
	}
	a, err := s.st.GetAnnouncement(ctx, sc, id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteAnnouncement(ctx, sc, id); err != nil {
		return err
	}
	s.au.Record(ctx, actor, model.ActionAnnouncementDeleted, "announcement", a.ID, describe(a), a.TenantID)
	return nil
}

// Filter narrows List for admins.
type Filter = store.AnnouncementFilter

// List lists the announcements the actor manages, newest first (o.Ascending:
// oldest first), those whose message contains f.Query: a tenant admin its
// tenant's; an admin every one (or one tenant's, or the platform-wide ones).
func (s *Service) List(ctx context.Context, actor model.Actor, f Filter, o model.ListOptions) ([]model.Announcement, string, error) {
	sc, err := manager(actor)
	if err != nil {
		return nil, "", err
	}
	if !sc.IsPlatform() {
		f = Filter{Query: f.Query} // the tenant filters are the platform's
	}
	return s.st.ListAnnouncements(ctx, sc, f, o)
}

// Active returns what the users of tenantID ("" : anyone, e.g. the login
// page of the platform's own host) see now: platform-wide announcements
// first, then the tenant's.
func (s *Service) Active(ctx context.Context, tenantID string) ([]model.Announcement, error) {
	return s.st.ActiveAnnouncements(ctx, tenantID, s.now(), MaxActive)
}

// describe is the audit detail of a.
func describe(a model.Announcement) string {
	msg := a.Message
	if utf8.RuneCountInString(msg) > 60 {
		msg = string([]rune(msg)[:60]) + "…"
	}
	d := fmt.Sprintf("%q", msg)
	if a.TenantID == "" {
		d = "platform-wide: " + d
	}
	if !a.ExpiresAt.IsZero() {
		d += ", expires " + a.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	return d
}
