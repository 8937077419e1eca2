package store_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// benchEngines opens a fresh store per engine for a benchmark.
func benchEngines(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.OpenSQLite(b)) })
	if dsn := os.Getenv(storetest.EnvPostgres); dsn != "" {
		b.Run("postgres", func(b *testing.B) { fn(b, storetest.OpenPostgres(b, dsn)) })
	}
}

// BenchmarkCreateUser measures one user insert (unique checks included).
func BenchmarkCreateUser(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store.Store) {
		ctx := b.Context()
		tn := model.Tenant{Name: "Bench", Status: model.TenantActive}
		if err := s.CreateTenant(ctx, &tn); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			u := model.User{TenantID: tn.ID, Role: model.RoleUser, Email: fmt.Sprintf("u%d@bench.example", i),
				APIUsername: fmt.Sprintf("u%d", i), Status: model.UserActive, PasswordHash: "$argon2id$x"}
			if err := s.CreateUser(ctx, &u); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkListAuditEvents measures one 50-row page of a tenant's audit log
// among 10,000 events of 10 tenants, first page and a deep page.
func BenchmarkListAuditEvents(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store.Store) {
		ctx := b.Context()
		tenants := make([]string, 10)
		for i := range tenants {
			tn := model.Tenant{Name: fmt.Sprintf("T%d", i), Status: model.TenantActive}
			if err := s.CreateTenant(ctx, &tn); err != nil {
				b.Fatal(err)
			}
			tenants[i] = tn.ID
		}
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range 10000 {
			at := base.Add(time.Duration(i) * time.Second)
			var atv any = at
			if s.Engine() == store.SQLite {
				atv = at.UnixMicro()
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (id, at, tenant_id, actor_id, action, detail)
				VALUES ($1, $2, $3, $4, $5, $6)`, model.NewID(model.PrefixAudit), atv, tenants[i%10], "usr_x",
				model.ActionLoginSucceeded, "bench")
			if err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		// Statistics, as autovacuum (PostgreSQL) or an operator (SQLite) keeps them.
		if _, err := s.DB().ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
		scope := model.TenantScope(tenants[3])
		_, deep, err := s.ListAuditEvents(ctx, scope, store.AuditFilter{}, model.ListOptions{Limit: 500})
		if err != nil || deep == "" {
			b.Fatalf("deep cursor: %q %v", deep, err)
		}
		for _, tc := range []struct{ name, cursor string }{{"first", ""}, {"deep", deep}} {
			b.Run(tc.name, func(b *testing.B) {
				for b.Loop() {
					got, _, err := s.ListAuditEvents(ctx, scope, store.AuditFilter{Action: "auth"},
						model.ListOptions{Limit: 50, Cursor: tc.cursor})
					if err != nil || len(got) != 50 {
						b.Fatalf("got %d events, %v", len(got), err)
					}
				}
			})
		}
	})
}
