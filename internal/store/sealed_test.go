package store_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/seal"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

func sealKey(t *testing.T, b byte) *seal.Key {
	t.Helper()
	k, err := seal.NewKey(bytes.Repeat([]byte{b}, seal.KeyLen))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestConformanceSealed runs the whole conformance suite on a store with a
// secret key: every secret column round-trips through encryption. SQLite
// only, to keep the suite's time (TestSealedColumns covers both engines;
// sealing happens above the SQL).
func TestConformanceSealed(t *testing.T) {
	for _, e := range storetest.Engines()[:1] {
		t.Run(e.Name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) *store.Store {
				s := e.Open(t)
				s.UseSecretKey(sealKey(t, 9))
				return s
			})
		})
	}
}

func TestSealedColumns(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t)
			ctx := t.Context()
			raw := func(q string, args ...any) string {
				t.Helper()
				var v string
				if err := s.DB().QueryRowContext(ctx, q, args...).Scan(&v); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return v
			}
			// Written without a key (an older version): clear.
			tn := model.Tenant{Name: "Sealed", Status: model.TenantActive, RetentionDays: 30}
			must(t, s.CreateTenant(ctx, &tn))
			u := model.User{TenantID: tn.ID, Role: model.RoleUser, Email: "s@example.com", PasswordHash: "$argon2id$x",
				Status: model.UserActive, TOTPSecret: "JBSWY3DPEHPK3PXP"}
			must(t, s.CreateUser(ctx, &u))
			hook := model.WebhookEndpoint{TenantID: tn.ID, URL: "https://a.example/h", Events: []string{"*"},
				Secret: "whsec_clear", PreviousSecret: "whsec_old", PreviousSecretExpiresAt: time.Now().Add(time.Hour), Enabled: true}
			must(t, s.CreateWebhookEndpoint(ctx, &hook))
			p := model.DefaultPlatformSettings()
			p.SMTP = model.SMTPRelay{Host: "relay.example", Port: 587, Security: model.SMTPStartTLS, Username: "u",
				Password: "relay pass", FromAddress: "fax@example.com"}
			must(t, s.PutPlatformSettings(ctx, model.PlatformScope(), &p))
			tr := model.Trunk{Name: "T", Kind: model.TrunkSIP, Speed: model.SpeedFast, Priority: 1, MaxChannels: 1,
				Enabled: true, Host: "sip.example", Port: 5060, Transport: "udp", Username: "u", Password: "trunk pass", T38: model.T38Off}
			must(t, s.CreateTrunk(ctx, &tr))
			if v := raw(`SELECT totp_secret FROM users WHERE id = $1`, u.ID); v != "JBSWY3DPEHPK3PXP" {
				t.Fatalf("keyless store wrote %q", v)
			}
			flash, err := s.EnsureSecret(ctx, store.SecretFlashKey, func() (string, error) { return "flash-key-in-clear", nil })
			must(t, err)
			if v := raw(`SELECT value FROM secrets WHERE name = $1`, store.SecretFlashKey); v != flash || flash != "flash-key-in-clear" {
				t.Fatalf("keyless store: flash key %q stored as %q", flash, v)
			}

			// The key arrives: old values still read, then get sealed once.
			k := sealKey(t, 1)
			s.UseSecretKey(k)
			must(t, s.CheckSecretKey(ctx))
			if got, err := s.GetUser(ctx, model.PlatformScope(), u.ID); err != nil || got.TOTPSecret != "JBSWY3DPEHPK3PXP" {
				t.Fatalf("clear TOTP secret read as %q, %v", got.TOTPSecret, err)
			}
			n, err := s.SealClearSecrets(ctx)
			must(t, err)
			if n != 6 { // totp, webhook secret + previous, smtp, trunk, flash key
				t.Fatalf("sealed %d values, want 6", n)
			}
			if n, _ := s.SealClearSecrets(ctx); n != 0 {
				t.Fatalf("second pass sealed %d values", n)
			}
			for q, clear := range map[string]string{
				`SELECT totp_secret FROM users WHERE id = $1`:                 "JBSWY3DPEHPK3PXP",
				`SELECT secret FROM webhook_endpoints WHERE id = $1`:          "whsec_clear",
				`SELECT previous_secret FROM webhook_endpoints WHERE id = $1`: "whsec_old",
				`SELECT password FROM trunks WHERE id = $1`:                   "trunk pass",
				`SELECT value FROM secrets WHERE name = $1`:                   "flash-key-in-clear",
			} {
				id := map[bool]string{true: u.ID}[strings.Contains(q, "users")]
				if strings.Contains(q, "secrets") {
					id = store.SecretFlashKey
				}
				if id == "" {
					id = map[bool]string{true: hook.ID, false: tr.ID}[strings.Contains(q, "webhook")]
				}
				if v := raw(q, id); !strings.HasPrefix(v, seal.Prefix) || strings.Contains(v, clear) {
					t.Errorf("%s: stored %q", q, v)
				}
			}
			if v := raw(`SELECT value FROM settings WHERE tenant_id IS NULL AND key = 'platform'`); strings.Contains(v, "relay pass") || !strings.Contains(v, seal.Prefix) {
				t.Errorf("platform settings stored %s", v)
			}

			// Reads decrypt; new writes are sealed.
			gotU, err := s.GetUser(ctx, model.PlatformScope(), u.ID)
			must(t, err)
			gotH, err := s.GetWebhookEndpoint(ctx, model.TenantScope(tn.ID), hook.ID)
			must(t, err)
			gotP, err := s.GetPlatformSettings(ctx, model.PlatformScope())
			must(t, err)
			gotT, err := s.GetTrunk(ctx, tr.ID)
			must(t, err)
			gotF, err := s.GetSecret(ctx, store.SecretFlashKey)
			must(t, err)
			if gotF != "flash-key-in-clear" {
				t.Fatalf("sealed flash key reads %q", gotF)
			}
			if check := raw(`SELECT value FROM secrets WHERE name = $1`, store.SecretKeyCheck); check != k.CheckValue() {
				t.Fatalf("the key check value is stored %q, want it clear", check)
			}
			if gotU.TOTPSecret != "JBSWY3DPEHPK3PXP" || gotH.Secret != "whsec_clear" || gotH.PreviousSecret != "whsec_old" ||
				gotP.SMTP.Password != "relay pass" || gotT.Password != "trunk pass" {
				t.Fatalf("decrypted values: %q %q %q %q %q", gotU.TOTPSecret, gotH.Secret, gotH.PreviousSecret,
					gotP.SMTP.Password, gotT.Password)
			}
			must(t, s.SetUserTOTP(ctx, model.TenantScope(tn.ID), u.ID, "NEWSECRETNEWSECR", true))
			if v := raw(`SELECT totp_secret FROM users WHERE id = $1`, u.ID); !strings.HasPrefix(v, seal.Prefix) {
				t.Fatalf("new TOTP secret stored %q", v)
			}

			// Another key: refused at the check, and values do not open.
			s.UseSecretKey(sealKey(t, 2))
			if err := s.CheckSecretKey(ctx); !errors.Is(err, store.ErrWrongSecretKey) {
				t.Fatalf("CheckSecretKey with another key = %v", err)
			}
			if _, err := s.GetUser(ctx, model.PlatformScope(), u.ID); !errors.Is(err, seal.ErrOpen) {
				t.Fatalf("GetUser with another key = %v, want seal.ErrOpen", err)
			}
			s.UseSecretKey(k)
			must(t, s.CheckSecretKey(ctx))
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
