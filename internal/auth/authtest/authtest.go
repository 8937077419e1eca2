// Package authtest gives tests of the domain services (and of the layers on
// top of them) a real, fresh, migrated store on every available engine,
// a settable clock, the audit/auth/tenancy services wired with cheap
// password hashing, and fixtures: tenants, users and their actors.
//
// Stores come from internal/store/storetest: SQLite in t.TempDir() always,
// PostgreSQL too when FAXGATE_TEST_POSTGRES holds a DSN (a schema per test,
// dropped afterwards).
package authtest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"faxgate/internal/audit"
	"faxgate/internal/auth"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
	"faxgate/internal/tenancy"
)

// Password is the password of every fixture user.
const Password = "correct horse battery staple"

// CheapArgon2 are hashing parameters that cost microseconds: tests only.
func CheapArgon2() auth.Argon2Params {
	return auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// ForEachEngine runs fn as a subtest per store engine of
// storetest.Engines (SQLite, plus PostgreSQL when FAXGATE_TEST_POSTGRES is
// set); open gives a fresh migrated store.
func ForEachEngine(t *testing.T, fn func(t *testing.T, open func(t *testing.T) *store.Store)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open) })
	}
}

// Clock is a settable time source for services under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at a fixed, recent UTC instant.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Env is a store with the domain services on it.
type Env struct {
	St      *store.Store
	Clock   *Clock
	Audit   *audit.Service
	Auth    *auth.Service
	Tenancy *tenancy.Service
	Ctx     context.Context
}

// NewEnv wires the services on st with a Clock, cheap hashing and no
// failure slow-down; cfg adjusts the auth configuration (may be nil).
func NewEnv(t *testing.T, st *store.Store, cfg func(*auth.Config)) *Env {
	t.Helper()
	clk := NewClock()
	c := auth.Config{Argon2: CheapArgon2(), FailureDelay: -1}
	if cfg != nil {
		cfg(&c)
	}
	au := audit.NewService(st, nil, clk.Now)
	as := auth.NewService(st, au, c, clk.Now)
	ts := tenancy.NewService(st, au, clk.Now, tenancy.WithHasher(as.Hasher()))
	return &Env{St: st, Clock: clk, Audit: au, Auth: as, Tenancy: ts, Ctx: t.Context()}
}

// Tenant creates an active tenant directly in the store.
func (e *Env) Tenant(t *testing.T, name string) model.Tenant {
	t.Helper()
	tn := model.Tenant{Name: name, Status: model.TenantActive, RetentionDays: 30}
	if err := e.St.CreateTenant(e.Ctx, &tn); err != nil {
		t.Fatalf("create tenant %s: %v", name, err)
	}
	return tn
}

// User creates an active user with Password directly in the store (no
// audit, no permission checks) and returns it with its Actor.
func (e *Env) User(t *testing.T, tenantID string, role model.Role, email string) (model.User, model.Actor) {
	t.Helper()
	h, err := e.Auth.Hasher().Hash(e.Ctx, Password)
	if err != nil {
		t.Fatal(err)
	}
	u := model.User{TenantID: tenantID, Role: role, Email: strings.ToLower(email), PasswordHash: h, Status: model.UserActive}
	if err := e.St.CreateUser(e.Ctx, &u); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u, ActorOf(u)
}

// ActorOf is the Actor a user authenticated by API key would get.
func ActorOf(u model.User) model.Actor {
	return model.Actor{UserID: u.ID, TenantID: u.TenantID, Role: u.Role, Email: u.Email, Via: "api_key", IP: "192.0.2.1"}
}

// World is a small platform: an admin, and two tenants A and B each with a
// tenant admin and a user.
type World struct {
	Admin, TenantA, UserA, TenantB, UserB model.User
	AdminActor, TenantAActor, UserAActor  model.Actor
	TenantBActor, UserBActor              model.Actor
	A, B                                  model.Tenant
}

// NewWorld creates the World's tenants and users: tenants "Tenant A" and
// "Tenant B", users admin@example.com, boss@a.example, user@a.example,
// boss@b.example and user@b.example.
func (e *Env) NewWorld(t *testing.T) World { return e.NewWorldSuffix(t, "") }

// NewWorldSuffix creates a World whose names carry sfx ("Tenant A1",
// "user@a1.example", "admin1@example.com"), so several Worlds can share one
// store.
func (e *Env) NewWorldSuffix(t *testing.T, sfx string) World {
	t.Helper()
	var w World
	w.A, w.B = e.Tenant(t, "Tenant A"+sfx), e.Tenant(t, "Tenant B"+sfx)
	w.Admin, w.AdminActor = e.User(t, "", model.RoleAdmin, "admin"+sfx+"@example.com")
	w.TenantA, w.TenantAActor = e.User(t, w.A.ID, model.RoleTenant, "boss@a"+sfx+".example")
	w.UserA, w.UserAActor = e.User(t, w.A.ID, model.RoleUser, "user@a"+sfx+".example")
	w.TenantB, w.TenantBActor = e.User(t, w.B.ID, model.RoleTenant, "boss@b"+sfx+".example")
	w.UserB, w.UserBActor = e.User(t, w.B.ID, model.RoleUser, "user@b"+sfx+".example")
	return w
}

// Events returns every audit event (newest first) with the given action
// and, when targetIDs are given, one of those targets.
func (e *Env) Events(t *testing.T, action string, targetIDs ...string) []model.AuditEvent {
	t.Helper()
	evs, _, err := e.St.ListAuditEvents(e.Ctx, model.PlatformScope(), store.AuditFilter{Action: action}, model.ListOptions{Limit: 500})
	if err != nil {
		t.Fatalf("list audit events: %v", err)
	}
	var out []model.AuditEvent
	for _, ev := range evs {
		if ev.Action == action && (len(targetIDs) == 0 || slices.Contains(targetIDs, ev.TargetID)) {
			out = append(out, ev)
		}
	}
	return out
}

// Must fails the test when err is not nil (readable set-up steps).
func Must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
