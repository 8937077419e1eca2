// Package tenancy manages tenants, their users and their white-label
// branding, and enforces who may do what: platform admins manage everything,
// a tenant admin manages its own tenant's users (never admins, never another
// tenant), a user manages only itself. Objects of another tenant answer
// model.ErrNotFound so their existence never leaks. It knows nothing of HTTP.
package tenancy

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"faxgate/internal/audit"
	"faxgate/internal/auth"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Service is the tenancy service.
type Service struct {
	st     *store.Store
	au     *audit.Service
	now    func() time.Time
	hasher *auth.Hasher
	logger *slog.Logger
}

// Option configures a Service.
type Option func(*Service)

// WithHasher sets the password hasher (pass auth.Service.Hasher() so both
// services share parameters and the concurrency bound). Default:
// auth.NewHasher(auth.DefaultArgon2Params()).
func WithHasher(h *auth.Hasher) Option { return func(s *Service) { s.hasher = h } }

// WithLogger sets where internal errors that do not fail a call are logged
// (e.g. a database error while resolving branding by host). Default: discard.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.logger = l } }

// NewService returns the tenancy service. A nil now uses time.Now.
func NewService(st *store.Store, au *audit.Service, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{st: st, au: au, now: now}
	for _, o := range opts {
		o(s)
	}
	if s.hasher == nil {
		s.hasher = auth.NewHasher(auth.DefaultArgon2Params())
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	return s
}

// checkActor refuses actors that did not come from authentication (or from
// model.SystemActor).
func checkActor(a model.Actor) error {
	switch {
	case !a.Role.Valid():
		return model.ErrUnauthenticated
	case a.Role != model.RoleAdmin && (a.TenantID == "" || a.UserID == ""):
		return model.ErrUnauthenticated
	}
	return nil
}

// ownTenant resolves the tenant an actor addresses: "" means the actor's
// own. Non-admins addressing another tenant get model.ErrNotFound; admins
// must name one (they have none).
func ownTenant(a model.Actor, tenantID string) (string, error) {
	if tenantID == "" {
		tenantID = a.TenantID
	}
	if tenantID == "" {
		return "", model.Invalid("tenant_id", "is required for platform admins")
	}
	if !a.Scope().Allows(tenantID) {
		return "", model.ErrNotFound
	}
	return tenantID, nil
}

// isNotFound reports whether err is model.ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, model.ErrNotFound) }

// userScope is the scope that reaches u's row.
func userScope(u model.User) model.Scope {
	if u.TenantID == "" {
		return model.PlatformScope()
	}
	return model.TenantScope(u.TenantID)
}

// warn logs an internal error that does not fail the call.
func (s *Service) warn(ctx context.Context, msg string, args ...any) {
	s.logger.WarnContext(ctx, msg, args...)
}
