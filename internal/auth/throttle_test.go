package auth_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

func login(e *authtest.Env, name, password, ip string) error {
	_, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: name, Password: password, IP: ip})
	return err
}

func wantThrottled(t *testing.T, err error, retry time.Duration) {
	t.Helper()
	var te *model.ThrottledError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *model.ThrottledError", err)
	}
	if te.RetryAfter != retry {
		t.Fatalf("RetryAfter = %v, want %v", te.RetryAfter, retry)
	}
}

func TestAccountThrottling(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil) // defaults: 5 per account, 20 per IP, 15 min window and lock
		e.NewWorld(t)
		ip := func(i int) string { return fmt.Sprintf("192.0.2.%d", i) } // a new IP each time: only the account counts

		t.Run("lock after 5 failures, even for the right password", func(t *testing.T) {
			for i := range 5 {
				if err := login(e, "user@a.example", "wrong password", ip(i)); !errors.Is(err, model.ErrBadCredentials) {
					t.Fatalf("failure %d = %v", i+1, err)
				}
			}
			wantThrottled(t, login(e, "user@a.example", pw, ip(10)), 15*time.Minute)
			e.Clock.Advance(10 * time.Minute)
			err := login(e, "USER@a.example", pw, ip(11))
			wantThrottled(t, err, 5*time.Minute)
			if !strings.Contains(err.Error(), "too many failed attempts; try again in 5 minutes") {
				t.Fatalf("message %q is not clear", err)
			}
			if evs := e.Events(t, model.ActionLoginFailed); !strings.Contains(evs[0].Detail, "too many failed attempts") {
				t.Fatalf("throttled attempt audited as %q", evs[0].Detail)
			}
			e.Clock.Advance(5 * time.Minute)
			if err := login(e, "user@a.example", pw, ip(12)); err != nil {
				t.Fatalf("after the lock: %v", err)
			}
		})
		t.Run("success clears the account counter", func(t *testing.T) {
			e.Clock.Advance(time.Hour)
			for round := range 3 {
				for i := range 4 {
					if err := login(e, "boss@a.example", "wrong password", ip(20+i)); !errors.Is(err, model.ErrBadCredentials) {
						t.Fatalf("round %d failure %d = %v", round, i, err)
					}
				}
				if err := login(e, "boss@a.example", pw, ip(30)); err != nil {
					t.Fatalf("round %d: 4 failures then success = %v", round, err)
				}
			}
		})
		t.Run("window forgets old failures", func(t *testing.T) {
			e.Clock.Advance(time.Hour)
			for i := range 4 {
				_ = login(e, "user@b.example", "wrong password", ip(40+i))
			}
			e.Clock.Advance(16 * time.Minute)
			for i := range 4 {
				_ = login(e, "user@b.example", "wrong password", ip(50+i))
			}
			if err := login(e, "user@b.example", pw, ip(60)); err != nil {
				t.Fatalf("8 failures in two windows locked the account: %v", err)
			}
		})
		t.Run("email and api username share one budget", func(t *testing.T) {
			e.Clock.Advance(time.Hour)
			u, _ := e.User(t, mustTenantID(t, e), model.RoleUser, "twins@a.example")
			u.APIUsername = "twins"
			authtest.Must(t, "api username", e.St.UpdateUser(e.Ctx, model.PlatformScope(), &u))
			for i := range 5 {
				name := []string{"twins", "twins@a.example"}[i%2]
				_ = login(e, name, "wrong password", ip(70+i))
			}
			wantThrottled(t, login(e, "twins@a.example", pw, ip(80)), 15*time.Minute)
		})
		t.Run("unknown accounts lock too", func(t *testing.T) {
			for i := range 5 {
				_ = login(e, "ghost@a.example", "wrong password", ip(90+i))
			}
			wantThrottled(t, login(e, "ghost@a.example", "whatever", ip(99)), 15*time.Minute)
		})
	})
}

func mustTenantID(t *testing.T, e *authtest.Env) string {
	t.Helper()
	ts, _, err := e.St.ListTenants(e.Ctx, store.TenantFilter{Query: "Tenant A"}, model.ListOptions{})
	if err != nil || len(ts) != 1 {
		t.Fatalf("tenant A: %v %v", ts, err)
	}
	return ts[0].ID
}

func TestIPThrottling(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	e.NewWorld(t)
	const attacker = "203.0.113.66"
	for i := range 20 { // 20 different accounts, 1 failure each: no account lock
		if err := login(e, fmt.Sprintf("victim%02d@a.example", i), "guess", attacker); !errors.Is(err, model.ErrBadCredentials) {
			t.Fatalf("failure %d = %v", i, err)
		}
	}
	wantThrottled(t, login(e, "user@a.example", pw, attacker), 15*time.Minute)
	if err := login(e, "user@a.example", pw, "198.51.100.1"); err != nil {
		t.Fatalf("same account from another IP: %v", err)
	}
	if err := login(e, "user@a.example", pw, attacker); err == nil {
		t.Fatal("a success elsewhere cleared the IP lock")
	}
	e.Clock.Advance(15 * time.Minute)
	if err := login(e, "user@a.example", pw, attacker); err != nil {
		t.Fatalf("after the IP lock: %v", err)
	}
	if _, err := e.Auth.AuthenticateBasic(e.Ctx, "user@a.example", pw, attacker); err != nil {
		t.Fatalf("basic after the IP lock: %v", err)
	}
}

func TestIPv6ThrottledPerSlash64(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), func(c *auth.Config) { c.MaxIPFailures = 3 })
	e.NewWorld(t)
	for i := range 3 { // three addresses of one /64, three accounts
		_ = login(e, fmt.Sprintf("v%d@a.example", i), "guess", fmt.Sprintf("2001:db8:1:2::%x", i+1))
	}
	wantThrottled(t, login(e, "user@a.example", pw, "2001:db8:1:2:ffff::9"), 15*time.Minute)
	if err := login(e, "user@a.example", pw, "2001:db8:1:3::1"); err != nil {
		t.Fatalf("neighbouring /64: %v", err)
	}
	if err := login(e, "user@b.example", pw, "::ffff:192.0.2.200"); err != nil {
		t.Fatalf("IPv4-mapped address of an unlocked IPv4: %v", err)
	}
}

func TestBasicAuthThrottled(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), func(c *auth.Config) { c.MaxFailures = 3; c.LockFor = time.Minute })
	e.NewWorld(t)
	for i := range 3 {
		if _, err := e.Auth.AuthenticateBasic(e.Ctx, "user@a.example", "wrong", fmt.Sprint("192.0.2.", i)); !errors.Is(err, model.ErrBadCredentials) {
			t.Fatalf("failure %d = %v", i, err)
		}
	}
	_, err := e.Auth.AuthenticateBasic(e.Ctx, "user@a.example", pw, "192.0.2.9")
	wantThrottled(t, err, time.Minute)
	// The portal login shares the account counter.
	wantThrottled(t, login(e, "user@a.example", pw, "192.0.2.10"), time.Minute)
}

func TestFailureSlowDown(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), func(c *auth.Config) { c.FailureDelay = 20 * time.Millisecond })
	e.NewWorld(t)
	var took []time.Duration
	for range 4 {
		start := time.Now()
		_ = login(e, "user@a.example", "wrong", "")
		took = append(took, time.Since(start))
	}
	// Failure n waits (n-1)×20 ms: the 4th at least 60 ms.
	if took[3] < 60*time.Millisecond {
		t.Fatalf("4th failure answered after %v, want ≥ 60 ms (all: %v)", took[3], took)
	}
}
