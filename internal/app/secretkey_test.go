package app_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faxgate/internal/app"
	"faxgate/internal/app/apptest"
	"faxgate/internal/model"
	"faxgate/internal/seal"
)

// TestSecretKeyAcrossNodes: a second node on the same database starts with
// the first node's key file, and refuses to start with another key.
func TestSecretKeyAcrossNodes(t *testing.T) {
	apptest.ForEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		ctx := t.Context()
		cfg := testConfig(t, dsn(t))
		a := newApp(t, cfg, nil)
		st, err := os.Stat(cfg.SecretKeyPath())
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("key file %s: %v %v", cfg.SecretKeyPath(), st, err)
		}
		tn := model.Tenant{Name: "K", Status: model.TenantActive, RetentionDays: 30}
		if err := a.Store().CreateTenant(ctx, &tn); err != nil {
			t.Fatal(err)
		}
		u := model.User{TenantID: tn.ID, Role: model.RoleUser, Email: "k@example.com", PasswordHash: "$argon2id$x",
			Status: model.UserActive, TOTPSecret: "JBSWY3DPEHPK3PXP"}
		if err := a.Store().CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := a.Store().DB().QueryRowContext(ctx, `SELECT totp_secret FROM users WHERE id = $1`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, seal.Prefix) {
			t.Fatalf("TOTP secret stored as %q", stored)
		}

		// Same database (and, on SQLite, file), another key: refused.
		other := cfg
		other.SecretKeyFile = filepath.Join(t.TempDir(), "other.key")
		b, err := app.New(other, app.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		err = b.Migrate(ctx)
		b.Close()
		if err == nil || !strings.Contains(err.Error(), "every node of one database needs the same key file") {
			t.Fatalf("node with another key: Migrate = %v", err)
		}

		// The same key file copied elsewhere: accepted, secrets readable.
		copied := filepath.Join(t.TempDir(), "copied.key")
		raw, err := os.ReadFile(cfg.SecretKeyPath())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(copied, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		same := cfg
		same.SecretKeyFile = copied
		c := newApp(t, same, nil)
		got, err := c.Store().GetUser(ctx, model.PlatformScope(), u.ID)
		if err != nil || got.TOTPSecret != "JBSWY3DPEHPK3PXP" {
			t.Fatalf("second node reads TOTP secret %q, %v", got.TOTPSecret, err)
		}
	})
}
