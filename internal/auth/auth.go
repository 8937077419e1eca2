// Package auth authenticates people and programs: argon2id password hashes,
// portal sessions kept in the database (only token hashes are stored), API
// keys, HTTP Basic credentials, optional TOTP two-factor login, and login
// throttling per account and per IP. It knows nothing of HTTP: handlers pass
// tokens, credentials and the client IP, and get a model.Actor back.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"faxgate/internal/audit"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Config tunes sessions and throttling. Zero fields take the defaults named
// in each comment, so Config{} is a sound production configuration.
type Config struct {
	SessionIdle     time.Duration // session ends this long after its last use; default 2h
	SessionAbsolute time.Duration // session ends this long after login whatever happens; default 24h
	MFAPendingTTL   time.Duration // time to type the TOTP code after the password; default 5m
	TouchEvery      time.Duration // last-seen/last-used times are written at most this often; default 1m

	MaxFailures   int           // failed logins per account within Window before it locks; default 5
	MaxIPFailures int           // failed logins per client IP within Window before it locks; default 4×MaxFailures (20)
	Window        time.Duration // failure counting window; default 15m
	LockFor       time.Duration // lock duration once the limit is reached; default 15m
	// FailureDelay slows repeated failures down before the lock: the n-th
	// consecutive failure of an account is answered after (n-1)×FailureDelay,
	// at most 2 s. Default 250ms; negative disables it (tests).
	FailureDelay time.Duration

	Argon2 Argon2Params // password hashing cost; zero = DefaultArgon2Params
	// BasicCacheTTL is how long a successful HTTP Basic check is remembered
	// (see basicCache); default 60s, negative disables the cache.
	BasicCacheTTL time.Duration
	Issuer        string       // TOTP issuer when the tenant has no company name; default "faxgate"
	Logger        *slog.Logger // internal errors that do not fail the request; nil discards
}

// Throttling key prefixes in the login_throttles table. totpKeyPrefix rows
// remember the last accepted TOTP time step of a user (replay protection).
const (
	acctKeyPrefix = "acct:"
	ipKeyPrefix   = "ip:"
	totpKeyPrefix = "totp:"
	maxDelay      = 2 * time.Second
)

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.SessionIdle, 2*time.Hour)
	def(&c.SessionAbsolute, 24*time.Hour)
	def(&c.MFAPendingTTL, 5*time.Minute)
	def(&c.TouchEvery, time.Minute)
	def(&c.Window, 15*time.Minute)
	def(&c.LockFor, 15*time.Minute)
	def(&c.FailureDelay, 250*time.Millisecond)
	def(&c.BasicCacheTTL, time.Minute)
	if c.MaxFailures <= 0 {
		c.MaxFailures = 5
	}
	if c.MaxIPFailures <= 0 {
		c.MaxIPFailures = 4 * c.MaxFailures
	}
	if c.Issuer == "" {
		c.Issuer = "faxgate"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Service is the authentication service.
type Service struct {
	st     *store.Store
	au     *audit.Service
	cfg    Config
	now    func() time.Time
	hasher *Hasher
	logger *slog.Logger
	basic  *basicCache // nil when disabled

	dummyOnce sync.Once
	dummyHash string // verified for unknown logins so they cost as much as known ones

	// throttleMu serialises the read-modify-write of throttle rows (and the
	// TOTP replay check) on this node, so concurrent guesses cannot slip
	// past the limit. Across nodes the store's upsert is last-writer-wins.
	throttleMu sync.Mutex
}

// NewService returns the auth service. A nil now uses time.Now.
func NewService(st *store.Store, au *audit.Service, cfg Config, now func() time.Time) *Service {
	cfg = cfg.withDefaults()
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, au: au, cfg: cfg, now: now, hasher: NewHasher(cfg.Argon2), logger: cfg.Logger,
		basic: newBasicCache(cfg.BasicCacheTTL)}
}

// Hasher returns the service's password hasher, for other services that set
// passwords (tenancy) so they share its parameters and concurrency bound.
func (s *Service) Hasher() *Hasher { return s.hasher }

// Config returns the effective configuration (defaults filled in), e.g. for
// cookie lifetimes.
func (s *Service) Config() Config { return s.cfg }

// newSecret returns n random bytes in unpadded base64url.
func newSecret(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// tokenHash is what the database keeps of a session token or API key.
func tokenHash(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// userScope is the scope that reaches u's row.
func userScope(u model.User) model.Scope {
	if u.TenantID == "" {
		return model.PlatformScope()
	}
	return model.TenantScope(u.TenantID)
}

// usable refuses disabled users and users of suspended (or vanished) tenants.
func (s *Service) usable(ctx context.Context, u model.User) error {
	if u.Status != model.UserActive {
		return model.ErrDisabled
	}
	if u.TenantID == "" {
		return nil
	}
	t, err := s.st.GetTenant(ctx, model.PlatformScope(), u.TenantID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return model.ErrUnauthenticated
	case err != nil:
		return fmt.Errorf("auth: tenant of user: %w", err)
	case t.Status != model.TenantActive:
		return model.ErrSuspended
	}
	return nil
}

// loadActive loads user id and checks it may act; a vanished user is
// unauthenticated.
func (s *Service) loadActive(ctx context.Context, id string) (model.User, error) {
	u, err := s.st.GetUser(ctx, model.PlatformScope(), id)
	if errors.Is(err, model.ErrNotFound) {
		return u, model.ErrUnauthenticated
	}
	if err != nil {
		return u, fmt.Errorf("auth: load user: %w", err)
	}
	return u, s.usable(ctx, u)
}

// actorFor builds the Actor of an authenticated user.
func actorFor(u model.User, via, ip, sessionID string) model.Actor {
	return model.Actor{UserID: u.ID, TenantID: u.TenantID, Role: u.Role, Email: u.Email, Via: via, IP: ip, SessionID: sessionID}
}

// checkActor refuses actors that did not come from authentication.
func checkActor(a model.Actor) error {
	if !a.Role.Valid() || a.UserID == "" || (a.Role != model.RoleAdmin && a.TenantID == "") {
		return model.ErrUnauthenticated
	}
	return nil
}

// self loads the actor's own user row.
func (s *Service) self(ctx context.Context, a model.Actor) (model.User, error) {
	if err := checkActor(a); err != nil {
		return model.User{}, err
	}
	u, err := s.st.GetUser(ctx, a.Scope(), a.UserID)
	if errors.Is(err, model.ErrNotFound) {
		return u, model.ErrUnauthenticated
	}
	return u, err
}
