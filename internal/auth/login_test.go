package auth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

const pw = authtest.Password

func TestLogin(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		disabled, _ := e.User(t, w.A.ID, model.RoleUser, "gone@a.example")
		disabled.Status = model.UserDisabled
		authtest.Must(t, "disable", e.St.UpdateUser(e.Ctx, model.TenantScope(w.A.ID), &disabled))
		c := e.Tenant(t, "Suspended C")
		c.Status = model.TenantSuspended
		authtest.Must(t, "suspend", e.St.UpdateTenant(e.Ctx, model.PlatformScope(), &c))
		e.User(t, c.ID, model.RoleUser, "user@c.example")
		apiUser := w.UserA
		apiUser.APIUsername = "alice.api"
		authtest.Must(t, "api username", e.St.UpdateUser(e.Ctx, model.TenantScope(w.A.ID), &apiUser))

		tests := []struct {
			name, login, password string
			want                  error
			wantUser              string
			auditDetail           string
		}{
			{"email", "user@a.example", pw, nil, w.UserA.ID, "portal login"},
			{"email any case, spaces", "  USER@A.example ", pw, nil, w.UserA.ID, "portal login"},
			{"api username", "Alice.API", pw, nil, w.UserA.ID, "portal login"},
			{"admin", "admin@example.com", pw, nil, w.Admin.ID, "portal login"},
			{"wrong password", "user@a.example", pw + "x", model.ErrBadCredentials, "", "portal login: wrong password"},
			{"unknown user", "nobody@a.example", pw, model.ErrBadCredentials, "", "portal login: unknown login"},
			{"empty password", "user@a.example", "", model.ErrBadCredentials, "", "empty or oversized"},
			{"empty login", "", pw, model.ErrBadCredentials, "", "empty or oversized"},
			{"disabled user", "gone@a.example", pw, model.ErrDisabled, "", "account disabled"},
			{"disabled user, wrong password", "gone@a.example", "nope-nope-nope", model.ErrBadCredentials, "", "wrong password"},
			{"suspended tenant", "user@c.example", pw, model.ErrSuspended, "", "tenant suspended"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: tc.login, Password: tc.password, IP: "198.51.100.7", UserAgent: "test"})
				if !errors.Is(err, tc.want) {
					t.Fatalf("Login = %v, want %v", err, tc.want)
				}
				action := model.ActionLoginFailed
				if tc.want == nil {
					action = model.ActionLoginSucceeded
					if res.User.ID != tc.wantUser || res.NeedTOTP || res.Token == "" {
						t.Fatalf("Login result user %s needTOTP %v token %q", res.User.ID, res.NeedTOTP, res.Token)
					}
					a, _, err := e.Auth.Authenticate(e.Ctx, res.Token, "198.51.100.7")
					if err != nil || a.UserID != tc.wantUser || a.Via != "session" || a.SessionID != res.Session.ID {
						t.Fatalf("Authenticate after login = %+v, %v", a, err)
					}
				} else if res.Token != "" {
					t.Fatal("failed login returned a token")
				}
				evs := e.Events(t, action)
				if len(evs) == 0 || !strings.Contains(evs[0].Detail, tc.auditDetail) || evs[0].IP != "198.51.100.7" {
					t.Fatalf("latest %s event %+v, want detail containing %q", action, evs, tc.auditDetail)
				}
				if tc.want != nil && evs[0].ActorEmail != strings.TrimSpace(tc.login) {
					t.Fatalf("failed login audited as %q, want the login tried %q", evs[0].ActorEmail, tc.login)
				}
				e.Clock.Advance(time.Hour) // keep throttling windows apart
			})
		}
	})
}

func TestUnknownUserSameErrorAsWrongPassword(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	e.NewWorld(t)
	_, errWrong := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: "wrong password!"})
	_, errUnknown := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "ghost@a.example", Password: "wrong password!"})
	if errWrong == nil || errUnknown == nil || errWrong.Error() != errUnknown.Error() || errWrong != errUnknown {
		t.Fatalf("wrong password: %v; unknown user: %v; want the identical error", errWrong, errUnknown)
	}
	_, errBasic := e.Auth.AuthenticateBasic(e.Ctx, "ghost@a.example", "wrong password!", "")
	if errBasic != errWrong {
		t.Fatalf("basic unknown user: %v", errBasic)
	}
}

func TestLoginRehashesOutdatedHash(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	old, err := auth.HashPasswordWith(auth.Argon2Params{Memory: 32, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, pw)
	authtest.Must(t, "hash", err)
	authtest.Must(t, "set", e.St.SetUserPassword(e.Ctx, model.TenantScope(w.A.ID), w.UserA.ID, old))
	if _, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw}); err != nil {
		t.Fatal(err)
	}
	u, _ := e.St.GetUser(e.Ctx, model.PlatformScope(), w.UserA.ID)
	if u.PasswordHash == old || auth.NeedsRehash(u.PasswordHash, authtest.CheapArgon2()) {
		t.Fatalf("hash not upgraded: %s", u.PasswordHash)
	}
	if ok, _ := auth.VerifyPassword(u.PasswordHash, pw); !ok {
		t.Fatal("upgraded hash does not verify")
	}
}

func TestSessionExpiry(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), func(c *auth.Config) { c.SessionIdle = 2 * time.Hour; c.SessionAbsolute = 24 * time.Hour })
		e.NewWorld(t)
		var last auth.LoginResult
		login := func(t *testing.T) string {
			res, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw, IP: "192.0.2.1"})
			authtest.Must(t, "login", err)
			last = res
			return res.Token
		}
		t.Run("touch at most once a minute", func(t *testing.T) {
			tok := login(t)
			start := e.Clock.Now()
			e.Clock.Advance(30 * time.Second)
			_, ses, err := e.Auth.Authenticate(e.Ctx, tok, "")
			authtest.Must(t, "auth", err)
			stored, _ := e.St.GetSession(e.Ctx, ses.ID)
			if !stored.LastSeenAt.Equal(start) {
				t.Fatalf("touched after 30 s: last seen %v, want %v", stored.LastSeenAt, start)
			}
			e.Clock.Advance(31 * time.Second)
			_, _, err = e.Auth.Authenticate(e.Ctx, tok, "")
			authtest.Must(t, "auth", err)
			stored, _ = e.St.GetSession(e.Ctx, ses.ID)
			if !stored.LastSeenAt.Equal(e.Clock.Now()) {
				t.Fatalf("not touched after 61 s: last seen %v, want %v", stored.LastSeenAt, e.Clock.Now())
			}
		})
		t.Run("idle", func(t *testing.T) {
			tok := login(t)
			e.Clock.Advance(2*time.Hour - time.Second)
			if _, _, err := e.Auth.Authenticate(e.Ctx, tok, ""); err != nil {
				t.Fatalf("just before idle expiry: %v", err)
			}
			e.Clock.Advance(2*time.Hour - time.Second) // touched above: still alive
			if _, _, err := e.Auth.Authenticate(e.Ctx, tok, ""); err != nil {
				t.Fatalf("activity did not extend the session: %v", err)
			}
			e.Clock.Advance(2 * time.Hour)
			if _, _, err := e.Auth.Authenticate(e.Ctx, tok, ""); !errors.Is(err, model.ErrUnauthenticated) {
				t.Fatalf("idle session = %v, want ErrUnauthenticated", err)
			}
			if _, err := e.St.GetSession(e.Ctx, last.Session.ID); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("expired session row kept: %v", err)
			}
		})
		t.Run("absolute", func(t *testing.T) {
			tok := login(t)
			for range 23 {
				e.Clock.Advance(time.Hour)
				if _, _, err := e.Auth.Authenticate(e.Ctx, tok, ""); err != nil {
					t.Fatalf("active session refused before 24 h: %v", err)
				}
			}
			e.Clock.Advance(time.Hour)
			if _, _, err := e.Auth.Authenticate(e.Ctx, tok, ""); !errors.Is(err, model.ErrUnauthenticated) {
				t.Fatalf("session past absolute expiry = %v, want ErrUnauthenticated", err)
			}
		})
		t.Run("garbage tokens", func(t *testing.T) {
			for _, tok := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("A", 4000)} {
				if _, _, err := e.Auth.Authenticate(e.Ctx, tok, ""); !errors.Is(err, model.ErrUnauthenticated) {
					t.Fatalf("token %q = %v", tok, err)
				}
			}
		})
	})
}

func TestLogoutRevokes(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	e.NewWorld(t)
	res, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw, IP: "192.0.2.1"})
	authtest.Must(t, "login", err)
	actor, _, err := e.Auth.Authenticate(e.Ctx, res.Token, "192.0.2.1")
	authtest.Must(t, "auth", err)
	authtest.Must(t, "logout", e.Auth.Logout(e.Ctx, res.Token, actor))
	if _, _, err := e.Auth.Authenticate(e.Ctx, res.Token, ""); !errors.Is(err, model.ErrUnauthenticated) {
		t.Fatalf("token after logout = %v", err)
	}
	if _, err := e.St.GetSession(e.Ctx, res.Session.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("session row after logout: %v", err)
	}
	authtest.Must(t, "second logout", e.Auth.Logout(e.Ctx, res.Token, actor))
	if evs := e.Events(t, model.ActionLogout); len(evs) != 1 || evs[0].ActorID != actor.UserID {
		t.Fatalf("logout events %+v", evs)
	}
}

func TestAccountStateStopsLiveCredentials(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		res, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@b.example", Password: pw})
		authtest.Must(t, "login", err)
		_, key, err := e.Auth.CreateAPIKey(e.Ctx, w.UserBActor, "script")
		authtest.Must(t, "key", err)

		b := w.B
		b.Status = model.TenantSuspended
		authtest.Must(t, "suspend", e.St.UpdateTenant(e.Ctx, model.PlatformScope(), &b))
		if _, _, err := e.Auth.Authenticate(e.Ctx, res.Token, ""); !errors.Is(err, model.ErrSuspended) {
			t.Fatalf("session of suspended tenant = %v", err)
		}
		if _, err := e.Auth.AuthenticateAPIKey(e.Ctx, key, ""); !errors.Is(err, model.ErrSuspended) {
			t.Fatalf("key of suspended tenant = %v", err)
		}
		if _, err := e.Auth.AuthenticateBasic(e.Ctx, "user@b.example", pw, ""); !errors.Is(err, model.ErrSuspended) {
			t.Fatalf("basic of suspended tenant = %v", err)
		}
		b.Status = model.TenantActive
		authtest.Must(t, "resume", e.St.UpdateTenant(e.Ctx, model.PlatformScope(), &b))
		if _, _, err := e.Auth.Authenticate(e.Ctx, res.Token, ""); err != nil {
			t.Fatalf("session after resume = %v", err)
		}

		u := w.UserB
		u.Status = model.UserDisabled
		authtest.Must(t, "disable", e.St.UpdateUser(e.Ctx, model.TenantScope(w.B.ID), &u))
		if _, _, err := e.Auth.Authenticate(e.Ctx, res.Token, ""); !errors.Is(err, model.ErrDisabled) {
			t.Fatalf("session of disabled user = %v", err)
		}
		if _, err := e.Auth.AuthenticateAPIKey(e.Ctx, key, ""); !errors.Is(err, model.ErrDisabled) {
			t.Fatalf("key of disabled user = %v", err)
		}
	})
}

func TestChangePassword(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	e.NewWorld(t)
	var toks []string
	for range 3 {
		res, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw})
		authtest.Must(t, "login", err)
		toks = append(toks, res.Token)
	}
	me, _, err := e.Auth.Authenticate(e.Ctx, toks[0], "192.0.2.4")
	authtest.Must(t, "auth", err)

	tests := []struct {
		name, current, next, field string
	}{
		{"wrong current", "not my password", "a new long password", "current_password"},
		{"too short", pw, "short", "password"},
		{"same as current", pw, pw, "password"},
	}
	for _, tc := range tests {
		err := e.Auth.ChangePassword(e.Ctx, me, tc.current, tc.next)
		var ve *model.ValidationError
		if !errors.As(err, &ve) || ve.Fields[tc.field] == "" {
			t.Fatalf("%s: ChangePassword = %v, want field %s", tc.name, err, tc.field)
		}
	}
	authtest.Must(t, "change", e.Auth.ChangePassword(e.Ctx, me, pw, "a new long password"))
	if _, _, err := e.Auth.Authenticate(e.Ctx, toks[0], ""); err != nil {
		t.Fatalf("current session ended by own password change: %v", err)
	}
	for _, tok := range toks[1:] {
		if _, _, err := e.Auth.Authenticate(e.Ctx, tok, ""); !errors.Is(err, model.ErrUnauthenticated) {
			t.Fatalf("other session survived password change: %v", err)
		}
	}
	if _, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw}); !errors.Is(err, model.ErrBadCredentials) {
		t.Fatalf("old password still works: %v", err)
	}
	if _, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: "a new long password"}); err != nil {
		t.Fatalf("new password refused: %v", err)
	}
	if evs := e.Events(t, model.ActionPasswordChanged); len(evs) != 1 || !strings.Contains(evs[0].Detail, "2 other sessions") {
		t.Fatalf("password change events %+v", evs)
	}
}

func TestBasicAuth(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	u := w.UserA
	u.APIUsername = "robot"
	authtest.Must(t, "api username", e.St.UpdateUser(e.Ctx, model.TenantScope(w.A.ID), &u))
	tests := []struct {
		login, password string
		want            error
	}{
		{"robot", pw, nil},
		{"ROBOT", pw, nil},
		{"user@a.example", pw, nil},
		{"robot", "wrong password", model.ErrBadCredentials},
		{"nobody", pw, model.ErrBadCredentials},
	}
	for _, tc := range tests {
		a, err := e.Auth.AuthenticateBasic(e.Ctx, tc.login, tc.password, "203.0.113.5")
		if !errors.Is(err, tc.want) {
			t.Fatalf("basic %s = %v, want %v", tc.login, err, tc.want)
		}
		if err == nil && (a.UserID != u.ID || a.Via != "basic" || a.IP != "203.0.113.5" || a.TenantID != w.A.ID) {
			t.Fatalf("basic actor %+v", a)
		}
	}
	if evs := e.Events(t, model.ActionLoginFailed); len(evs) != 2 || !strings.Contains(evs[0].Detail, "API basic auth") {
		t.Fatalf("basic failures audited as %+v", evs)
	}
	if evs := e.Events(t, model.ActionLoginSucceeded); len(evs) != 0 {
		t.Fatalf("basic successes audited (%d): every API request would be a line", len(evs))
	}
}
