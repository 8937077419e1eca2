package campaign_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"faxgate/internal/audit"
	"faxgate/internal/campaign"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// env is a real store (SQLite or PostgreSQL) with two tenants, their
// admins and users, and a platform admin.
type env struct {
	st                   *store.Store
	svc                  *campaign.Service
	tenantA, tenantB     model.Tenant
	adminA, userA, userB model.Actor
	root                 model.Actor
}

func newEnv(t testing.TB, st *store.Store) *env {
	t.Helper()
	e := &env{st: st}
	e.svc = campaign.NewService(st, audit.NewService(st, slog.New(slog.DiscardHandler), nil), nil, nil)
	e.tenantA, e.tenantB = mkTenant(t, st, "Tenant A"), mkTenant(t, st, "Tenant B")
	e.adminA = mkActor(t, st, e.tenantA.ID, model.RoleTenant, "admin@a.example")
	e.userA = mkActor(t, st, e.tenantA.ID, model.RoleUser, "user@a.example")
	e.userB = mkActor(t, st, e.tenantB.ID, model.RoleUser, "user@b.example")
	e.root = mkActor(t, st, "", model.RoleAdmin, "root@example.org")
	return e
}

func mkTenant(t testing.TB, st *store.Store, name string) model.Tenant {
	t.Helper()
	tn := model.Tenant{Name: name, Status: model.TenantActive, RetentionDays: 30}
	if err := st.CreateTenant(context.Background(), &tn); err != nil {
		t.Fatal(err)
	}
	return tn
}

func mkActor(t testing.TB, st *store.Store, tenantID string, role model.Role, email string) model.Actor {
	t.Helper()
	u := model.User{TenantID: tenantID, Role: role, Email: email, Status: model.UserActive, PasswordHash: "x"}
	if err := st.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	return model.Actor{UserID: u.ID, TenantID: tenantID, Role: role, Email: email, Via: "session"}
}

// forEngine runs fn on a fresh environment per engine.
func forEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) { fn(t, newEnv(t, eng.Open(t))) })
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func wantIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ve *model.ValidationError
	if !errors.As(err, &ve) || ve.Fields[field] == "" {
		t.Errorf("%s: error = %v, want a validation error on %q", what, err, field)
	}
}

func wantConflict(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ce *model.ConflictError
	if !errors.As(err, &ce) || ce.Field != field {
		t.Errorf("%s: error = %v, want a conflict on %q", what, err, field)
	}
}

// auditActions lists the tenant's audit actions under the dotted prefix,
// sorted (events of one microsecond have no defined order).
func auditActions(t *testing.T, e *env, tenantID, prefix string) []string {
	t.Helper()
	evs, _, err := e.st.ListAuditEvents(ctx(t), model.TenantScope(tenantID), store.AuditFilter{Action: prefix}, model.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Action
	}
	slices.Sort(out)
	return out
}

func openSQLite(t testing.TB) *store.Store { return storetest.OpenSQLite(t) }
