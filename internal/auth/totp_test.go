package auth_test

import (
	"bytes"
	"errors"
	"image/png"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	authtest.Must(t, "generate code", err)
	return c
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *model.ValidationError
	if !errors.As(err, &ve) || ve.Fields[field] == "" {
		t.Fatalf("err = %v, want a validation error on %s", err, field)
	}
}

func TestTOTPLifecycle(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		me := w.UserAActor

		en, err := e.Auth.BeginTOTP(e.Ctx, me)
		authtest.Must(t, "begin", err)
		img, err := png.Decode(bytes.NewReader(en.QRPNG))
		if err != nil || img.Bounds().Dx() < 100 {
			t.Fatalf("QR PNG: %v", err)
		}
		u, err := url.Parse(en.URL)
		if err != nil || u.Scheme != "otpauth" || u.Query().Get("secret") != en.Secret || u.Query().Get("issuer") != "faxgate" {
			t.Fatalf("otpauth URL %q", en.URL)
		}
		if _, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw}); err != nil {
			t.Fatalf("unconfirmed TOTP already demanded at login: %v", err)
		}
		wantField(t, e.Auth.ConfirmTOTP(e.Ctx, me, "000000x"), "code")
		wantField(t, e.Auth.ConfirmTOTP(e.Ctx, me, code(t, en.Secret, e.Clock.Now().Add(-5*time.Minute))), "code")
		confirmCode := code(t, en.Secret, e.Clock.Now())
		authtest.Must(t, "confirm", e.Auth.ConfirmTOTP(e.Ctx, me, confirmCode[:3]+" "+confirmCode[3:]))
		if _, err := e.Auth.BeginTOTP(e.Ctx, me); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("begin while on = %v", err)
		}

		res, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw, IP: "192.0.2.5"})
		authtest.Must(t, "login", err)
		if !res.NeedTOTP || !res.Session.MFAPending {
			t.Fatalf("login of a TOTP user: %+v", res)
		}
		if _, _, err := e.Auth.Authenticate(e.Ctx, res.Token, ""); !errors.Is(err, model.ErrMFARequired) {
			t.Fatalf("pending session = %v, want ErrMFARequired", err)
		}
		if _, pu, err := e.Auth.PendingSession(e.Ctx, res.Token); err != nil || pu.ID != w.UserA.ID {
			t.Fatalf("PendingSession = %v, %v", pu.ID, err)
		}
		if err := e.Auth.VerifyTOTP(e.Ctx, res.Token, confirmCode, "192.0.2.5"); !errors.Is(err, auth.ErrWrongCode) || !errors.Is(err, model.ErrBadCredentials) {
			t.Fatalf("code already used for the confirmation = %v, want ErrWrongCode", err)
		}
		if err := e.Auth.VerifyTOTP(e.Ctx, res.Token, "123456", "192.0.2.5"); !errors.Is(err, auth.ErrWrongCode) {
			t.Fatalf("wrong code = %v", err)
		}
		e.Clock.Advance(30 * time.Second)
		next := code(t, en.Secret, e.Clock.Now())
		authtest.Must(t, "verify", e.Auth.VerifyTOTP(e.Ctx, res.Token, next, "192.0.2.5"))
		if _, _, err := e.Auth.Authenticate(e.Ctx, res.Token, ""); err != nil {
			t.Fatalf("session after TOTP = %v", err)
		}
		if _, _, err := e.Auth.PendingSession(e.Ctx, res.Token); !errors.Is(err, model.ErrUnauthenticated) {
			t.Fatalf("PendingSession of a complete session = %v", err)
		}
		if evs := e.Events(t, model.ActionLoginSucceeded); len(evs) != 2 || evs[0].Detail != "portal login with two-factor code" {
			t.Fatalf("login events %+v", evs)
		}

		// A second login within the same step cannot replay the code.
		res2, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw})
		authtest.Must(t, "login 2", err)
		if err := e.Auth.VerifyTOTP(e.Ctx, res2.Token, next, ""); !errors.Is(err, auth.ErrWrongCode) {
			t.Fatalf("replayed code = %v", err)
		}
		// The following step's code is accepted early (skew of one step).
		authtest.Must(t, "skew", e.Auth.VerifyTOTP(e.Ctx, res2.Token, code(t, en.Secret, e.Clock.Now().Add(30*time.Second)), ""))

		// Basic auth would bypass the second factor.
		if _, err := e.Auth.AuthenticateBasic(e.Ctx, "user@a.example", pw, ""); !errors.Is(err, model.ErrMFARequired) {
			t.Fatalf("basic auth of a TOTP user = %v", err)
		}

		wantField(t, e.Auth.DisableTOTP(e.Ctx, me, "wrong password"), "password")
		authtest.Must(t, "disable", e.Auth.DisableTOTP(e.Ctx, me, pw))
		res3, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw})
		if err != nil || res3.NeedTOTP {
			t.Fatalf("login after disable: %+v %v", res3, err)
		}
		if on, off := e.Events(t, model.ActionTOTPEnabled), e.Events(t, model.ActionTOTPDisabled); len(on) != 1 || len(off) != 1 {
			t.Fatalf("totp events on %d off %d", len(on), len(off))
		}
	})
}

func TestTOTPPendingExpiresAndThrottles(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	en, err := e.Auth.BeginTOTP(e.Ctx, w.UserAActor)
	authtest.Must(t, "begin", err)
	authtest.Must(t, "confirm", e.Auth.ConfirmTOTP(e.Ctx, w.UserAActor, code(t, en.Secret, e.Clock.Now())))
	e.Clock.Advance(time.Minute)

	res, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw})
	authtest.Must(t, "login", err)
	e.Clock.Advance(5*time.Minute + time.Second)
	if err := e.Auth.VerifyTOTP(e.Ctx, res.Token, code(t, en.Secret, e.Clock.Now()), ""); !errors.Is(err, model.ErrUnauthenticated) {
		t.Fatalf("pending session after 5 min = %v, want ErrUnauthenticated", err)
	}

	res, err = e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw})
	authtest.Must(t, "login", err)
	for i := range 5 {
		if err := e.Auth.VerifyTOTP(e.Ctx, res.Token, "000000", ""); !errors.Is(err, auth.ErrWrongCode) {
			t.Fatalf("wrong code %d = %v", i, err)
		}
	}
	err = e.Auth.VerifyTOTP(e.Ctx, res.Token, code(t, en.Secret, e.Clock.Now()), "")
	wantThrottled(t, err, 15*time.Minute)
	if _, err := e.Auth.Login(e.Ctx, auth.LoginInput{Login: "user@a.example", Password: pw}); err == nil {
		t.Fatal("password login allowed while TOTP guessing locked the account")
	}
}

func TestDisableUserTOTP(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	en, err := e.Auth.BeginTOTP(e.Ctx, w.UserAActor)
	authtest.Must(t, "begin", err)
	authtest.Must(t, "confirm", e.Auth.ConfirmTOTP(e.Ctx, w.UserAActor, code(t, en.Secret, e.Clock.Now())))
	tests := []struct {
		name  string
		actor model.Actor
		want  error
	}{
		{"user itself (must use DisableTOTP with password)", w.UserAActor, model.ErrForbidden},
		{"other tenant", w.TenantBActor, model.ErrNotFound},
		{"own tenant admin", w.TenantAActor, nil},
	}
	for _, tc := range tests {
		if err := e.Auth.DisableUserTOTP(e.Ctx, tc.actor, w.UserA.ID); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	u, _ := e.St.GetUser(e.Ctx, model.PlatformScope(), w.UserA.ID)
	if u.TOTPEnabled || u.TOTPSecret != "" {
		t.Fatal("TOTP still on")
	}
}
