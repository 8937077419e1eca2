package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// TestConformance runs the store conformance suite on SQLite and, when
// FAXGATE_TEST_POSTGRES is set, on PostgreSQL.
func TestConformance(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { storetest.Run(t, e.Open) })
	}
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Log("PostgreSQL skipped: set " + storetest.EnvPostgres + " to run the suite on it too")
	}
}

func TestOpenEngines(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t)
			ctx := t.Context()
			if got := string(s.Engine()); got != e.Name {
				t.Errorf("Engine() = %q, want %q", got, e.Name)
			}
			if (s.PgxPool() != nil) != (s.Engine() == store.Postgres) {
				t.Fatalf("PgxPool() = %v on %s", s.PgxPool(), s.Engine())
			}
			if p := s.PgxPool(); p != nil && p.Config().MaxConns < 10 {
				t.Errorf("pgx pool MaxConns = %d, want a pool big enough for River and HTTP", p.Config().MaxConns)
			}
			if err := s.Ping(ctx); err != nil {
				t.Errorf("Ping: %v", err)
			}
			// Migrating again is a no-op.
			if err := s.Migrate(ctx); err != nil {
				t.Errorf("second Migrate: %v", err)
			}
			var n int
			if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM river_job").Scan(&n); err != nil {
				t.Errorf("River tables missing after Migrate: %v", err)
			}
		})
	}
}

func TestOpenSQLiteDefaults(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := store.Open(ctx, "", dir, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	for _, f := range []string{"faxgate.db", "faxgate.db-wal"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("database file: %v", err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s permissions %v, want owner only", f, perm)
		}
	}
	pragmas := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "1"}
	for p, want := range pragmas {
		var got string
		if err := s.DB().QueryRowContext(ctx, "PRAGMA "+p).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", p, err)
		}
		if !strings.EqualFold(got, want) {
			t.Errorf("PRAGMA %s = %q, want %q", p, got, want)
		}
	}
	if st := s.DB().Stats(); st.MaxOpenConnections != 1 {
		t.Errorf("writer pool MaxOpenConnections = %d, want 1", st.MaxOpenConnections)
	}
}

func TestOpenDSNForms(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		dsn, file string
	}{
		{"sqlite:" + filepath.Join(dir, "a.db"), "a.db"},
		{"sqlite://" + filepath.Join(dir, "b.db"), "b.db"},
		{"file:" + filepath.Join(dir, "c.db"), "c.db"},
		{filepath.Join(dir, "d.db"), "d.db"},
	}
	for _, tc := range tests {
		s, err := store.Open(t.Context(), tc.dsn, "/nonexistent", nil)
		if err != nil {
			t.Errorf("Open(%q): %v", tc.dsn, err)
			continue
		}
		s.Close()
		if _, err := os.Stat(filepath.Join(dir, tc.file)); err != nil {
			t.Errorf("Open(%q) did not create %s: %v", tc.dsn, tc.file, err)
		}
	}
	for _, dsn := range []string{"mysql://u:secret@h/db", "sqlite:", "x.db?mode=ro"} {
		_, err := store.Open(t.Context(), dsn, dir, nil)
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", dsn)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error leaks the password: %v", dsn, err)
		}
	}
}

func TestOpenPostgresUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := store.Open(ctx, "postgres://u:topsecret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", "", nil)
	if err == nil {
		t.Fatal("Open(unreachable PostgreSQL) succeeded")
	}
	if strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error leaks the password: %v", err)
	}
}

// TestSQLiteConcurrentWriters hammers the SQLite store from many goroutines:
// the single writer connection must serialise them without SQLITE_BUSY.
func TestSQLiteConcurrentWriters(t *testing.T) {
	s := storetest.OpenSQLite(t)
	ctx := t.Context()
	tn := model.Tenant{Name: "A", Status: model.TenantActive}
	if err := s.CreateTenant(ctx, &tn); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 25
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range each {
				e := model.AuditEvent{TenantID: tn.ID, Action: "test.concurrent"}
				if err := s.InsertAuditEvent(ctx, &e); err != nil {
					errs <- err
					return
				}
				if _, _, err := s.ListAuditEvents(ctx, model.TenantScope(tn.ID), store.AuditFilter{}, model.ListOptions{Limit: 5}); err != nil {
					errs <- err
					return
				}
				u := model.User{TenantID: tn.ID, Role: model.RoleUser, Email: fmt.Sprintf("w%d-%d@x.example", w, i), Status: model.UserActive}
				if err := s.CreateUser(ctx, &u); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent write: %v", err)
		}
	}
	n, err := s.CountUsers(ctx, model.TenantScope(tn.ID))
	if err != nil || n != workers*each {
		t.Errorf("CountUsers = %d, %v; want %d", n, err, workers*each)
	}
}

// TestZeroScopeNeverTouchesDB calls scoped methods with the zero scope on a
// closed store: ErrInvalidScope (not "database is closed") proves the scope
// is checked before any query.
func TestZeroScopeNeverTouchesDB(t *testing.T) {
	s, err := store.Open(t.Context(), "", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var zero model.Scope
	u := model.User{ID: "usr_x"}
	tn := model.Tenant{ID: "ten_x"}
	calls := map[string]func() error{
		"GetTenant":       func() error { _, err := s.GetTenant(ctx, zero, "ten_x"); return err },
		"UpdateTenant":    func() error { return s.UpdateTenant(ctx, zero, &tn) },
		"GetUser":         func() error { _, err := s.GetUser(ctx, zero, "usr_x"); return err },
		"UpdateUser":      func() error { return s.UpdateUser(ctx, zero, &u) },
		"SetUserPassword": func() error { return s.SetUserPassword(ctx, zero, "usr_x", "h") },
		"SetUserTOTP":     func() error { return s.SetUserTOTP(ctx, zero, "usr_x", "", false) },
		"DeleteUser":      func() error { return s.DeleteUser(ctx, zero, "usr_x") },
		"ListUsers": func() error {
			_, _, err := s.ListUsers(ctx, zero, store.UserFilter{}, model.ListOptions{})
			return err
		},
		"CountUsers":   func() error { _, err := s.CountUsers(ctx, zero); return err },
		"ListAPIKeys":  func() error { _, err := s.ListAPIKeys(ctx, zero, "usr_x"); return err },
		"RevokeAPIKey": func() error { return s.RevokeAPIKey(ctx, zero, "usr_x", "key_x", time.Now()) },
		"ListAuditEvents": func() error {
			_, _, err := s.ListAuditEvents(ctx, zero, store.AuditFilter{}, model.ListOptions{})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, store.ErrInvalidScope) {
			t.Errorf("%s(zero scope) = %v, want ErrInvalidScope", name, err)
		}
	}
	// The tenant-scope shortcut for tenants also answers without the DB.
	if _, err := s.GetTenant(ctx, model.TenantScope("ten_a"), "ten_b"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("GetTenant(other tenant) = %v, want ErrNotFound", err)
	}
}
