package store_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// TestMigration00014LinksSIPRecords: records of receptions stored before
// 00014 (without an attempt id) are linked to the reception's attempt, and
// of two records of one attempt the one that ended last keeps the link;
// migrating down and up again works.
func TestMigration00014LinksSIPRecords(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t)
			ctx := t.Context()
			dialect := goose.DialectSQLite3
			if s.Engine() == store.Postgres {
				dialect = goose.DialectPostgres
			}
			p, err := goose.NewProvider(dialect, s.DB(), s.MigrationFS(), goose.WithDisableGlobalRegistry(true))
			if err != nil {
				t.Fatal(err)
			}
			tn := model.Tenant{Name: "Old records", Status: model.TenantActive, RetentionDays: 30}
			if err := s.CreateTenant(ctx, &tn); err != nil {
				t.Fatal(err)
			}
			in := model.InboundFax{Fax: model.Fax{TenantID: tn.ID, Status: model.FaxReceived, Source: model.SourceSIP,
				To: "+12025550300", CallerID: "+14155550123"}}
			if err := s.InsertInboundFax(ctx, &in); err != nil {
				t.Fatal(err)
			}
			out := model.Fax{TenantID: tn.ID, Direction: model.Outbound, Status: model.FaxDelivered,
				Source: model.SourceAPI, To: "+12025550301", NextTry: 1, NextLeg: 1}
			var rx, tx1 model.Attempt
			err = s.RunTx(ctx, func(tx *sql.Tx) error {
				if err := s.InsertFaxTx(ctx, tx, &out); err != nil {
					return err
				}
				rx = model.Attempt{FaxID: in.ID, TenantID: tn.ID, Try: 1, Leg: 1, Status: model.AttemptCompleted,
					StartedAt: time.Now(), T30Code: 0}
				if err := s.InsertAttemptTx(ctx, tx, &rx); err != nil {
					return err
				}
				tx1 = model.Attempt{FaxID: out.ID, TenantID: tn.ID, Try: 1, Leg: 1, Status: model.AttemptCompleted,
					StartedAt: time.Now(), T30Code: 0}
				return s.InsertAttemptTx(ctx, tx, &tx1)
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.DownTo(ctx, 13); err != nil {
				t.Fatalf("down to 13: %v", err)
			}
			for _, r := range []struct {
				callID, dir, fax, attempt string
				ended                     int64
			}{{"in@x", "inbound", in.ID, "", 5}, {"out-early@x", "outbound", out.ID, tx1.ID, 5},
				{"out-late@x", "outbound", out.ID, tx1.ID, 9}} {
				if _, err := s.DB().ExecContext(ctx, `INSERT INTO sip_calls (call_id, direction, tenant_id, fax_id,
					attempt_id, started_at, ended_at) VALUES ($1, $2, $3, $4, $5, 1, $6)`, r.callID, r.dir, tn.ID,
					r.fax, r.attempt, r.ended); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := p.UpTo(ctx, 14); err != nil {
				t.Fatalf("up to 14: %v", err)
			}
			links := func() map[string]string {
				t.Helper()
				rows, err := s.DB().QueryContext(ctx, `SELECT call_id, attempt_id FROM sip_calls`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				m := map[string]string{}
				for rows.Next() {
					var id, a string
					if err := rows.Scan(&id, &a); err != nil {
						t.Fatal(err)
					}
					m[id] = a
				}
				return m
			}
			got := links()
			if got["in@x"] != rx.ID || got["out-late@x"] != tx1.ID || got["out-early@x"] != "" {
				t.Errorf("after 00014: %v; want in@x -> %s, out-late@x -> %s, out-early@x unlinked", got, rx.ID, tx1.ID)
			}
			if _, err := p.DownTo(ctx, 13); err != nil {
				t.Fatalf("down to 13 again: %v", err)
			}
			if got := links(); got["in@x"] != "" {
				t.Errorf("after down: %v; want the reception's record without attempt id", got)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
