// Package audit records and lists "System Activities": who did what, when,
// from where. Recording never fails the caller's action; listing applies the
// visibility rules (admin: everything, tenant admin: its tenant, user: its
// own actions).
package audit

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Field length bounds; longer values are cut so that a hostile login name or
// detail cannot bloat the log.
const (
	maxDetail = 500
	maxField  = 200
	// recordTimeout bounds the insert: the audit row is written even when the
	// request that caused it was cancelled meanwhile, but never hangs.
	recordTimeout = 5 * time.Second
	// MaxQuery bounds the search text of List.
	MaxQuery = 200
)

// Service writes and reads audit events.
type Service struct {
	st     *store.Store
	logger *slog.Logger
	now    func() time.Time
}

// NewService returns an audit service on st. A nil logger discards, a nil now
// uses time.Now.
func NewService(st *store.Store, logger *slog.Logger, now func() time.Time) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, logger: logger, now: now}
}

// Record stores one event. tenantID is the tenant the action concerns ("" for
// platform-level actions). It never fails the caller: a store error is logged
// (with the event, so nothing is lost silently).
func (s *Service) Record(ctx context.Context, actor model.Actor, action, targetType, targetID, detail string, tenantID string) {
	e := &model.AuditEvent{
		ID:         model.NewID(model.PrefixAudit),
		At:         s.now().UTC(),
		TenantID:   tenantID,
		ActorID:    actor.UserID,
		ActorEmail: clip(actor.Email, maxField),
		IP:         clip(actor.IP, maxField),
		Action:     action,
		TargetType: targetType,
		TargetID:   clip(targetID, maxField),
		Detail:     clip(detail, maxDetail),
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err := s.st.InsertAuditEvent(ctx, e); err != nil {
		s.logger.Error("audit event not stored", "err", err, "action", e.Action,
			"actor", e.ActorEmail, "tenant", e.TenantID, "target_type", e.TargetType,
			"target", e.TargetID, "detail", e.Detail, "ip", e.IP)
	}
}

// List returns one page of events, newest first, that the actor may see
// (f.Query searches the detail, the actor's email, the target and the
// address):
// admins see every event (f.TenantID filters by tenant), tenant admins the
// events of their tenant, users only the events they performed themselves.
// A user asking for another user's events gets an empty page.
func (s *Service) List(ctx context.Context, actor model.Actor, f store.AuditFilter, o model.ListOptions) ([]model.AuditEvent, string, error) {
	if err := checkActor(actor); err != nil {
		return nil, "", err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return nil, "", model.Invalid("to", "must not be before from")
	}
	f.Action = strings.TrimSpace(f.Action)
	if f.Query = strings.TrimSpace(f.Query); utf8.RuneCountInString(f.Query) > MaxQuery {
		return nil, "", model.Invalid("q", fmt.Sprintf("at most %d characters", MaxQuery))
	}
	switch actor.Role {
	case model.RoleAdmin:
	case model.RoleTenant:
		if f.TenantID != "" && f.TenantID != actor.TenantID {
			return nil, "", nil
		}
		f.TenantID = ""
	default:
		if f.UserID != "" && f.UserID != actor.UserID {
			return nil, "", nil
		}
		f.UserID, f.TenantID = actor.UserID, ""
	}
	return s.st.ListAuditEvents(ctx, actor.Scope(), f, o.Normalize(50, 500))
}

// checkActor refuses actors that did not come from authentication.
func checkActor(a model.Actor) error {
	switch {
	case !a.Role.Valid():
		return model.ErrUnauthenticated
	case a.Role != model.RoleAdmin && (a.TenantID == "" || a.UserID == ""):
		return fmt.Errorf("%w: actor without tenant", model.ErrUnauthenticated)
	}
	return nil
}

// clip cuts s to at most n bytes without splitting a UTF-8 sequence, and
// replaces control characters so a log line stays one line.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
