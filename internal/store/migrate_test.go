package store_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"

	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// TestMigrationsParity keeps the engines' migration folders in step: the
// same versions and names in both.
func TestMigrationsParity(t *testing.T) {
	names := func(dir string) []string {
		entries, err := os.ReadDir(filepath.Join("migrations", dir))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	sqlite, pg := names("sqlite"), names("postgres")
	if len(sqlite) == 0 || !slices.Equal(sqlite, pg) {
		t.Errorf("migrations differ: sqlite %v, postgres %v", sqlite, pg)
	}
}

// TestMigrationsDownUp rolls every goose migration back and applies it
// again, so the Down sections stay correct.
func TestMigrationsDownUp(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t)
			dialect := goose.DialectSQLite3
			if s.Engine() == store.Postgres {
				dialect = goose.DialectPostgres
			}
			p, err := goose.NewProvider(dialect, s.DB(), s.MigrationFS(), goose.WithDisableGlobalRegistry(true))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.DownTo(t.Context(), 0); err != nil {
				t.Fatalf("down: %v", err)
			}
			if err := s.DB().QueryRowContext(t.Context(), "SELECT 1 FROM users").Err(); err == nil {
				t.Error("users table still exists after migrating down")
			}
			if err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("up again: %v", err)
			}
			files, _ := fs.Glob(s.MigrationFS(), "*.sql")
			v, err := p.GetDBVersion(t.Context())
			if err != nil || v != int64(len(files)) {
				t.Errorf("version after up = %d, %v; want %d", v, err, len(files))
			}
		})
	}
}
