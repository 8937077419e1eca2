package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// River's drivers are generic over their transaction type.
type (
	pgxTx = pgx.Tx
	sqlTx = *sql.Tx
)

// migrateLockKey is the PostgreSQL advisory lock that serialises Migrate
// across nodes starting at the same time ("faxgate" in ASCII).
const migrateLockKey = 0x66617867617465

// Migrate brings the schema up to date: faxgate's goose migrations (embedded,
// one folder per engine) and then River's own migrations, so the job queue
// lives in the same database. On PostgreSQL an advisory lock makes
// concurrent Migrate calls from several nodes take turns.
func (s *Store) Migrate(ctx context.Context) error {
	unlock, err := s.lockMigrations(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.migrateSchema(ctx); err != nil {
		return err
	}
	return s.migrateRiver(ctx)
}

// MigrationFS returns the engine's embedded goose migrations (for tests and
// tooling).
func (s *Store) MigrationFS() fs.FS {
	sub, err := fs.Sub(migrationFS, "migrations/"+string(s.engine))
	if err != nil {
		panic(err) // the embedded folders exist at compile time
	}
	return sub
}

func (s *Store) migrateSchema(ctx context.Context) error {
	dialect := goose.DialectSQLite3
	if s.engine == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, s.wdb, s.MigrationFS(), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		s.logger.Info("database migrated", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

func (s *Store) migrateRiver(ctx context.Context) error {
	var res *rivermigrate.MigrateResult
	var err error
	if s.engine == Postgres {
		var m *rivermigrate.Migrator[pgxTx]
		m, err = rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Logger: s.logger})
		if err == nil {
			res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[sqlTx]
		m, err = rivermigrate.New(riversqlite.New(s.wdb), &rivermigrate.Config{Logger: s.logger})
		if err == nil {
			res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("store: migrate job queue: %w", err)
	}
	for _, v := range res.Versions {
		s.logger.Info("job queue migrated", "version", v.Version, "name", v.Name)
	}
	return nil
}

// lockMigrations takes the PostgreSQL advisory lock on a dedicated
// connection and returns its release; on SQLite the single writer
// connection already serialises migrations within the process.
func (s *Store) lockMigrations(ctx context.Context) (func(), error) {
	if s.engine != Postgres {
		return func() {}, nil
	}
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", int64(migrateLockKey)); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("store: migration lock: %w", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrateLockKey))
		_ = conn.Close()
	}, nil
}
