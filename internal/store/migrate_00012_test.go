package store_test

import (
	"slices"
	"testing"

	"github.com/pressly/goose/v3"

	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// TestMigration00012MovesFaxSources: a trunk whose allowed_sources held
// fax sources before 00012 has them in fax_sources after it (and no
// inbound addresses); migrating down puts them back.
func TestMigration00012MovesFaxSources(t *testing.T) {
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
			if _, err := p.DownTo(ctx, 11); err != nil {
				t.Fatalf("down to 11: %v", err)
			}
			if _, err := s.DB().ExecContext(ctx, `UPDATE trunks SET allowed_sources = '["api","web"]' WHERE id = $1`,
				model.TestTrunkID); err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 12); err != nil {
				t.Fatalf("up to 12: %v", err)
			}
			tr, err := s.GetTrunk(ctx, model.TestTrunkID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tr.FaxSources, []model.FaxSource{model.SourceAPI, model.SourceWeb}) || tr.AllowedSources != nil {
				t.Errorf("after 00012: fax sources %v, allowed sources %v; want [api web], none", tr.FaxSources,
					tr.AllowedSources)
			}
			if _, err := p.DownTo(ctx, 11); err != nil {
				t.Fatalf("down to 11 again: %v", err)
			}
			var back string
			if err := s.DB().QueryRowContext(ctx, `SELECT allowed_sources FROM trunks WHERE id = $1`,
				model.TestTrunkID).Scan(&back); err != nil || back != `["api","web"]` {
				t.Errorf("after down: allowed_sources %q, %v; want the fax sources back", back, err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
