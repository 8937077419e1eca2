package auth_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"faxgate/internal/audit"
	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

func TestBasicCache(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), func(c *auth.Config) {
			c.MaxFailures, c.LockFor, c.BasicCacheTTL = 3, time.Minute, 10*time.Minute
		})
		w := e.NewWorld(t)
		u := w.UserA
		u.APIUsername = "robot"
		authtest.Must(t, "api username", e.St.UpdateUser(e.Ctx, model.TenantScope(w.A.ID), &u))
		const ip = "203.0.113.5"
		basic := func(login, password string) error {
			t.Helper()
			a, err := e.Auth.AuthenticateBasic(e.Ctx, login, password, ip)
			if err == nil && (a.UserID != u.ID || a.Via != "basic" || a.TenantID != w.A.ID || a.IP != ip) {
				t.Fatalf("basic actor %+v", a)
			}
			return err
		}
		// step runs one request and checks how many argon2id runs it cost
		// and how many credentials are remembered afterwards.
		step := func(what, login, password string, want error, hashes int64, entries int) {
			t.Helper()
			before := auth.Verifies(e.Auth)
			if err := basic(login, password); !errors.Is(err, want) {
				t.Fatalf("%s: basic = %v, want %v", what, err, want)
			}
			if got := auth.Verifies(e.Auth) - before; got != hashes {
				t.Fatalf("%s: %d password hashes, want %d", what, got, hashes)
			}
			if got := auth.BasicCacheLen(e.Auth); got != entries {
				t.Fatalf("%s: %d cached credentials, want %d", what, got, entries)
			}
		}
		step("first request", "robot", pw, nil, 1, 1)
		step("second request", "robot", pw, nil, 0, 1)
		step("login in another case", " ROBOT ", pw, nil, 0, 1)
		step("same user by email", "user@a.example", pw, nil, 1, 2)
		step("wrong password", "robot", pw+"x", model.ErrBadCredentials, 1, 2)
		step("wrong password again (not cached)", "robot", pw+"x", model.ErrBadCredentials, 1, 2)
		step("success clears the account counter", "robot", pw, nil, 0, 2)

		// Locks still apply to remembered credentials.
		for i := range 3 {
			_ = basic("robot", fmt.Sprint("guess ", i))
		}
		var te *model.ThrottledError
		if err := basic("robot", pw); !errors.As(err, &te) {
			t.Fatalf("cached credential of a locked account = %v, want throttled", err)
		}
		e.Clock.Advance(time.Minute)
		step("after the lock, still remembered", "robot", pw, nil, 0, 2)

		// Account state is checked on every hit.
		u.Status = model.UserDisabled
		authtest.Must(t, "disable", e.St.UpdateUser(e.Ctx, model.TenantScope(w.A.ID), &u))
		step("disabled user", "robot", pw, model.ErrDisabled, 0, 1)
		u.Status = model.UserActive
		authtest.Must(t, "enable", e.St.UpdateUser(e.Ctx, model.TenantScope(w.A.ID), &u))
		step("enabled again", "robot", pw, nil, 1, 2)

		// A password set elsewhere (another node, an admin reset) shows as a
		// new stored hash: the remembered credential stops working at once.
		h, err := e.Auth.Hasher().Hash(e.Ctx, "a brand new password")
		authtest.Must(t, "hash", err)
		authtest.Must(t, "set password", e.St.SetUserPassword(e.Ctx, model.TenantScope(w.A.ID), u.ID, h))
		step("old password after reset", "robot", pw, model.ErrBadCredentials, 1, 1)
		step("new password", "robot", "a brand new password", nil, 1, 2)
		step("new password remembered", "robot", "a brand new password", nil, 0, 2)

		// Own password change through the service forgets the user at once.
		authtest.Must(t, "change password", e.Auth.ChangePassword(e.Ctx, authtest.ActorOf(u), "a brand new password", "yet another long password"))
		if n := auth.BasicCacheLen(e.Auth); n != 0 {
			t.Fatalf("%d credentials remembered after a password change", n)
		}

		// The TTL bounds how long a digest lives.
		step("after change", "robot", "yet another long password", nil, 1, 1)
		e.Clock.Advance(10 * time.Minute)
		step("expired", "robot", "yet another long password", nil, 1, 1)
	})
}

func TestBasicCacheSkipsTOTPAccounts(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	authtest.Must(t, "totp", e.St.SetUserTOTP(e.Ctx, model.TenantScope(w.A.ID), w.UserA.ID, "JBSWY3DPEHPK3PXP", true))
	for range 2 {
		if _, err := e.Auth.AuthenticateBasic(e.Ctx, "user@a.example", pw, ""); !errors.Is(err, model.ErrMFARequired) {
			t.Fatalf("basic of a TOTP account = %v", err)
		}
	}
	if n := auth.BasicCacheLen(e.Auth); n != 0 {
		t.Fatalf("%d credentials of a TOTP account remembered", n)
	}
}

func TestBasicCacheDisabled(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), func(c *auth.Config) { c.BasicCacheTTL = -1 })
	e.NewWorld(t)
	for range 3 {
		if _, err := e.Auth.AuthenticateBasic(e.Ctx, "user@a.example", pw, ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := auth.Verifies(e.Auth); n != 3 {
		t.Fatalf("%d password hashes with the cache off, want 3", n)
	}
}

// BenchmarkAuthenticateBasic is the cost of one API request's Basic check
// with production argon2id parameters (m=64 MiB, t=2, p=2) on SQLite,
// without and with the cache.
func BenchmarkAuthenticateBasic(b *testing.B) {
	for _, bc := range []struct {
		name string
		ttl  time.Duration
	}{{"uncached", -1}, {"cached", time.Minute}} {
		b.Run(bc.name, func(b *testing.B) {
			st := storetest.OpenSQLite(b)
			ctx := b.Context()
			as := auth.NewService(st, audit.NewService(st, nil, nil), auth.Config{BasicCacheTTL: bc.ttl}, nil)
			tn := model.Tenant{Name: "Bench", Status: model.TenantActive, RetentionDays: 30}
			if err := st.CreateTenant(ctx, &tn); err != nil {
				b.Fatal(err)
			}
			h, err := as.Hasher().Hash(ctx, pw)
			if err != nil {
				b.Fatal(err)
			}
			u := model.User{TenantID: tn.ID, Role: model.RoleUser, Email: "bench@a.example", PasswordHash: h, Status: model.UserActive}
			if err := st.CreateUser(ctx, &u); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := as.AuthenticateBasic(ctx, "bench@a.example", pw, "203.0.113.5"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
