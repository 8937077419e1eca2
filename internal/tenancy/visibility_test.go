package tenancy_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
	"faxgate/internal/tenancy"
)

func ids(us []model.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.ID)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string { slices.Sort(s); return s }

func TestUserVisibility(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		everyone := sorted(w.Admin.ID, w.TenantA.ID, w.UserA.ID, w.TenantB.ID, w.UserB.ID)
		tests := []struct {
			name  string
			actor model.Actor
			f     store.UserFilter
			want  []string
			count int
		}{
			{"admin sees all", w.AdminActor, store.UserFilter{}, everyone, 5},
			{"admin filters by tenant", w.AdminActor, store.UserFilter{TenantID: w.B.ID}, sorted(w.TenantB.ID, w.UserB.ID), 5},
			{"admin filters by role", w.AdminActor, store.UserFilter{Role: model.RoleTenant}, sorted(w.TenantA.ID, w.TenantB.ID), 5},
			{"tenant sees own tenant", w.TenantAActor, store.UserFilter{}, sorted(w.TenantA.ID, w.UserA.ID), 2},
			{"tenant asking for another tenant", w.TenantAActor, store.UserFilter{TenantID: w.B.ID}, nil, 2},
			{"tenant query cannot reach other tenants", w.TenantAActor, store.UserFilter{Query: "b.example"}, nil, 2},
			{"user sees itself", w.UserBActor, store.UserFilter{}, []string{w.UserB.ID}, 2},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				us, _, err := e.Tenancy.ListUsers(e.Ctx, tc.actor, tc.f, model.ListOptions{})
				authtest.Must(t, "list", err)
				if got := ids(us); !slices.Equal(got, tc.want) {
					t.Fatalf("ListUsers = %v, want %v", got, tc.want)
				}
				n, err := e.Tenancy.CountUsers(e.Ctx, tc.actor)
				if err != nil || n != tc.count {
					t.Fatalf("CountUsers = %d, %v; want %d", n, err, tc.count)
				}
			})
		}
		var ve *model.ValidationError
		if _, _, err := e.Tenancy.ListUsers(e.Ctx, w.AdminActor, store.UserFilter{Role: "boss"}, model.ListOptions{}); !errors.As(err, &ve) {
			t.Fatalf("bad role filter = %v", err)
		}
		for _, c := range []struct {
			actor  model.Actor
			target model.User
			ok     bool
		}{
			{w.AdminActor, w.UserB, true}, {w.TenantAActor, w.UserA, true}, {w.TenantAActor, w.UserB, false},
			{w.TenantAActor, w.Admin, false}, {w.UserAActor, w.UserA, true}, {w.UserAActor, w.TenantA, false},
			{w.UserAActor, w.UserB, false},
		} {
			_, err := e.Tenancy.GetUser(e.Ctx, c.actor, c.target.ID)
			if c.ok && err != nil || !c.ok && !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("%s GetUser %s = %v, want ok=%v (others: ErrNotFound)", c.actor.Email, c.target.Email, err, c.ok)
			}
		}
	})
}

func TestUserChangesEndCredentials(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	loginAs := func(email string) string {
		res, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: email, Password: pw})
		authtest.Must(t, "login "+email, err)
		return res.Token
	}
	alive := func(tok string) bool { _, _, err := e.Auth.Authenticate(e.Ctx, tok, ""); return err == nil }

	tok := loginAs("user@a.example")
	authtest.Must(t, "reset", e.Tenancy.ResetPassword(e.Ctx, w.TenantAActor, w.UserA.ID, "reset by the boss"))
	if alive(tok) {
		t.Fatal("session survived a password reset")
	}
	if evs := e.Events(t, model.ActionUserPasswordSet, w.UserA.ID); len(evs) != 1 || evs[0].ActorID != w.TenantA.ID {
		t.Fatalf("reset events %+v", evs)
	}

	tok = loginAs("user@b.example")
	_, key, err := e.Auth.CreateAPIKey(e.Ctx, w.UserBActor, "k")
	authtest.Must(t, "key", err)
	_, err = e.Tenancy.UpdateUser(e.Ctx, w.TenantBActor, w.UserB.ID, tenancy.UserPatch{Status: ptr(model.UserDisabled)})
	authtest.Must(t, "disable", err)
	if _, err := e.Auth.AuthenticateAPIKey(e.Ctx, key, ""); !errors.Is(err, model.ErrDisabled) {
		t.Fatalf("key of disabled user = %v", err)
	}
	e.Clock.Advance(time.Second)
	_, err = e.Tenancy.UpdateUser(e.Ctx, w.TenantBActor, w.UserB.ID, tenancy.UserPatch{Status: ptr(model.UserActive)})
	authtest.Must(t, "enable", err)
	if _, err := e.Auth.AuthenticateAPIKey(e.Ctx, key, ""); err != nil {
		t.Fatalf("key after re-enabling = %v", err)
	}
	if alive(tok) {
		t.Fatal("disabling did not delete the sessions: they work again after re-enabling")
	}
	evs := e.Events(t, model.ActionUserUpdated, w.UserB.ID)
	if len(evs) != 2 || !strings.Contains(evs[1].Detail, `status "active" → "disabled"`) {
		t.Fatalf("update events %+v", evs)
	}

	// Moving a user to another tenant ends its sessions and revokes its keys.
	tok = loginAs("user@b.example")
	_, err = e.Tenancy.UpdateUser(e.Ctx, w.AdminActor, w.UserB.ID, tenancy.UserPatch{TenantID: ptr(w.A.ID)})
	authtest.Must(t, "move", err)
	if alive(tok) {
		t.Fatal("session survived a tenant move")
	}
	if _, err := e.Auth.AuthenticateAPIKey(e.Ctx, key, ""); !errors.Is(err, model.ErrUnauthenticated) {
		t.Fatalf("key after tenant move = %v", err)
	}
}
