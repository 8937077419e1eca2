package auth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

func TestAPIKeyLifecycle(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		k, raw, err := e.Auth.CreateAPIKey(e.Ctx, w.UserAActor, "  nightly upload ")
		authtest.Must(t, "create", err)
		if !strings.HasPrefix(raw, "fgk_") || len(raw) != 47 || k.Prefix != raw[:12] || k.Name != "nightly upload" {
			t.Fatalf("raw %q, key %+v", raw, k)
		}
		if k.Hash == "" || strings.Contains(k.Hash, raw[4:]) {
			t.Fatalf("stored hash %q reveals the key", k.Hash)
		}
		a, err := e.Auth.AuthenticateAPIKey(e.Ctx, raw, "203.0.113.1")
		authtest.Must(t, "authenticate", err)
		if a.UserID != w.UserA.ID || a.TenantID != w.A.ID || a.Role != model.RoleUser || a.Via != "api_key" || a.IP != "203.0.113.1" {
			t.Fatalf("actor %+v", a)
		}
		lastUsed := func() time.Time {
			keys, err := e.Auth.ListAPIKeys(e.Ctx, w.UserAActor)
			authtest.Must(t, "list", err)
			return keys[0].LastUsedAt
		}
		first := lastUsed()
		if !first.Equal(e.Clock.Now()) {
			t.Fatalf("last used %v, want %v", first, e.Clock.Now())
		}
		e.Clock.Advance(30 * time.Second)
		_, _ = e.Auth.AuthenticateAPIKey(e.Ctx, raw, "")
		if !lastUsed().Equal(first) {
			t.Fatal("last-used written twice within a minute")
		}
		e.Clock.Advance(31 * time.Second)
		_, _ = e.Auth.AuthenticateAPIKey(e.Ctx, raw, "")
		if !lastUsed().Equal(e.Clock.Now()) {
			t.Fatal("last-used not updated after a minute")
		}

		authtest.Must(t, "revoke", e.Auth.RevokeAPIKey(e.Ctx, w.UserAActor, k.ID))
		if _, err := e.Auth.AuthenticateAPIKey(e.Ctx, raw, ""); !errors.Is(err, model.ErrUnauthenticated) {
			t.Fatalf("revoked key = %v", err)
		}
		authtest.Must(t, "revoke twice", e.Auth.RevokeAPIKey(e.Ctx, w.UserAActor, k.ID))
		if evs := e.Events(t, model.ActionAPIKeyRevoked); len(evs) != 1 || evs[0].TargetID != k.ID || evs[0].TenantID != w.A.ID {
			t.Fatalf("revoke events %+v", evs)
		}
		if evs := e.Events(t, model.ActionAPIKeyCreated); len(evs) != 1 || !strings.Contains(evs[0].Detail, k.Prefix) || strings.Contains(evs[0].Detail, raw) {
			t.Fatalf("create events %+v", evs)
		}
	})
}

func TestAPIKeyGarbage(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	_, raw, err := e.Auth.CreateAPIKey(e.Ctx, w.UserAActor, "k")
	authtest.Must(t, "create", err)
	for _, bad := range []string{"", "fgk_", raw[:len(raw)-1], raw + "A", "xyz_" + raw[4:], strings.ToUpper(raw), raw[:len(raw)-1] + "Q"} {
		if bad == raw {
			continue
		}
		if _, err := e.Auth.AuthenticateAPIKey(e.Ctx, bad, ""); !errors.Is(err, model.ErrUnauthenticated) {
			t.Fatalf("key %q = %v", bad, err)
		}
	}
	for _, name := range []string{"", "   ", strings.Repeat("n", 101), "tab\there"} {
		var ve *model.ValidationError
		if _, _, err := e.Auth.CreateAPIKey(e.Ctx, w.UserAActor, name); !errors.As(err, &ve) || ve.Fields["name"] == "" {
			t.Fatalf("name %q = %v", name, err)
		}
	}
}

func TestAPIKeyPermissions(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	newKey := func(a model.Actor) model.APIKey {
		k, _, err := e.Auth.CreateAPIKey(e.Ctx, a, "k")
		authtest.Must(t, "create", err)
		return k
	}
	tests := []struct {
		name  string
		actor model.Actor
		owner model.User
		want  error
	}{
		{"owner", w.UserAActor, w.UserA, nil},
		{"tenant admin of the owner", w.TenantAActor, w.UserA, nil},
		{"platform admin", w.AdminActor, w.UserB, nil},
		{"other tenant's admin", w.TenantBActor, w.UserA, model.ErrNotFound},
		{"other user same tenant", w.UserAActor, w.TenantA, model.ErrNotFound},
		{"user of other tenant", w.UserBActor, w.UserA, model.ErrNotFound},
		{"tenant admin on platform admin", w.TenantAActor, w.Admin, model.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKey(authtest.ActorOf(tc.owner))
			_, listErr := e.Auth.ListUserAPIKeys(e.Ctx, tc.actor, tc.owner.ID)
			err := e.Auth.RevokeUserAPIKey(e.Ctx, tc.actor, tc.owner.ID, k.ID)
			if !errors.Is(err, tc.want) || !errors.Is(listErr, tc.want) {
				t.Fatalf("revoke = %v, list = %v; want %v", err, listErr, tc.want)
			}
			keys, _ := e.St.ListAPIKeys(e.Ctx, model.PlatformScope(), tc.owner.ID)
			revoked := keys[0].ID == k.ID && keys[0].Revoked()
			if revoked != (tc.want == nil) {
				t.Fatalf("key revoked = %v after %v", revoked, err)
			}
		})
	}
	t.Run("own-key revoke by id only reaches own keys", func(t *testing.T) {
		k := newKey(w.UserAActor)
		for _, a := range []model.Actor{w.TenantAActor, w.AdminActor, w.UserBActor} {
			if err := e.Auth.RevokeAPIKey(e.Ctx, a, k.ID); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("%s revoking someone else's key via RevokeAPIKey = %v", a.Email, err)
			}
		}
	})
	t.Run("anonymous actor", func(t *testing.T) {
		if _, _, err := e.Auth.CreateAPIKey(e.Ctx, model.Actor{}, "k"); !errors.Is(err, model.ErrUnauthenticated) {
			t.Fatalf("zero actor = %v", err)
		}
	})
}
