// Package storetest is the store conformance suite: one set of tests that
// every database engine must pass (SQLite always, PostgreSQL when
// FAXGATE_TEST_POSTGRES names a server), plus helpers that give other
// packages' tests a fresh, migrated store on either engine.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Opener returns a fresh, migrated, empty store that is closed (and, for
// PostgreSQL, dropped) when the test ends.
type Opener func(t *testing.T) *store.Store

// Run runs the conformance suite against stores made by open. Each subtest
// gets its own fresh store.
func Run(t *testing.T, open func(t *testing.T) *store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *store.Store)
	}{
		{"Tenants", testTenants},
		{"TenantConflicts", testTenantConflicts},
		{"TenantFilters", testTenantFilters},
		{"Branding", testBranding},
		{"BrandingLogo", testBrandingLogo},
		{"Users", testUsers},
		{"UserConflicts", testUserConflicts},
		{"UserLogin", testUserLogin},
		{"UserFilters", testUserFilters},
		{"UserCounts", testUserCounts},
		{"Sessions", testSessions},
		{"SessionExpiry", testSessionExpiry},
		{"APIKeys", testAPIKeys},
		{"CascadeOnUserDelete", testCascade},
		{"AuditEvents", testAudit},
		{"AuditFilters", testAuditFilters},
		{"LoginThrottles", testThrottles},
		{"Pagination", testPagination},
		{"PaginationEqualTimes", testPaginationEqualTimes},
		{"BadCursor", testBadCursor},
		{"ZeroScope", testZeroScope},
		{"TenantIsolation", testIsolation},
		{"CheckConstraints", testChecks},
		{"Documents", testDocuments},
		{"Faxout", testFaxout},
		{"Settings", testSettings},
		{"Webhooks", testWebhooks},
		{"Faxin", testFaxin},
		{"Contacts", testContacts},
		{"Campaigns", testCampaigns},
		{"SIPCalls", testSIPCalls},
		{"SIPCallsInbound", testSIPCallsInbound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// ctx returns a context that ends with the test, bounded so a deadlock
// fails instead of hanging.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// fixture is two tenants, each with a tenant admin and a user, and a
// platform admin.
type fixture struct {
	a, b           model.Tenant
	aAdmin, aUser  model.User
	bAdmin, bUser  model.User
	admin          model.User
	scopeA, scopeB model.Scope
}

func newFixture(t *testing.T, s *store.Store) fixture {
	t.Helper()
	f := fixture{
		a: mustTenant(t, s, "Tenant A"),
		b: mustTenant(t, s, "Tenant B"),
	}
	f.scopeA, f.scopeB = model.TenantScope(f.a.ID), model.TenantScope(f.b.ID)
	f.aAdmin = mustUser(t, s, f.a.ID, model.RoleTenant, "admin@a.example")
	f.aUser = mustUser(t, s, f.a.ID, model.RoleUser, "user@a.example")
	f.bAdmin = mustUser(t, s, f.b.ID, model.RoleTenant, "admin@b.example")
	f.bUser = mustUser(t, s, f.b.ID, model.RoleUser, "user@b.example")
	f.admin = mustUser(t, s, "", model.RoleAdmin, "root@platform.example")
	return f
}

func mustTenant(t *testing.T, s *store.Store, name string) model.Tenant {
	t.Helper()
	tn := model.Tenant{Name: name, Status: model.TenantActive, RetentionDays: 30}
	if err := s.CreateTenant(ctx(t), &tn); err != nil {
		t.Fatalf("CreateTenant(%q): %v", name, err)
	}
	return tn
}

func mustUser(t *testing.T, s *store.Store, tenantID string, role model.Role, email string) model.User {
	t.Helper()
	u := model.User{TenantID: tenantID, Role: role, Email: email, Status: model.UserActive,
		PasswordHash: "$argon2id$test", FirstName: "First", LastName: "Last"}
	if err := s.CreateUser(ctx(t), &u); err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}

// wantConflict fails unless err is a *model.ConflictError for field.
func wantConflict(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ce *model.ConflictError
	if !errors.As(err, &ce) || ce.Field != field {
		t.Errorf("%s: error = %v, want ConflictError{%q}", what, err, field)
	}
}

// wantInvalid fails unless err is a *model.ValidationError naming field.
func wantInvalid(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ve *model.ValidationError
	if !errors.As(err, &ve) || ve.Fields[field] == "" {
		t.Errorf("%s: error = %v, want ValidationError on %q", what, err, field)
	}
}

func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func userID(u model.User) string        { return u.ID }
func tenantID(t model.Tenant) string    { return t.ID }
func eventID(e model.AuditEvent) string { return e.ID }
func keyID(k model.APIKey) string       { return k.ID }

func name(prefix string, i int) string { return fmt.Sprintf("%s%02d", prefix, i) }
