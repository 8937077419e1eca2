package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"faxgate/internal/seal"
)

// Engine names the database engine behind a Store.
type Engine string

// Supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// ErrInvalidScope is returned by every scoped method called with the zero
// model.Scope: forgetting to say whose data a call wants must fail loudly
// instead of touching every tenant's rows.
var ErrInvalidScope = errors.New("store: invalid (zero) scope")

// Store is the database handle shared by every domain service. It is safe
// for concurrent use.
type Store struct {
	engine Engine
	wdb    *sql.DB // writes and transactions (SQLite: exactly one connection)
	rdb    *sql.DB // plain reads (SQLite: read-only pool; PostgreSQL: == wdb)
	pool   *pgxpool.Pool
	logger *slog.Logger
	key    *seal.Key // seals secret columns (sealed.go); nil = clear
}

// Open opens the database named by dsn without migrating it:
//   - "" is the SQLite file <dataDir>/faxgate.db (the folder is created);
//   - "postgres://..." or "postgresql://..." is PostgreSQL through pgx
//     (pgxpool settings such as pool_max_conns may be given in the DSN);
//   - "sqlite:PATH", "file:PATH" or a plain PATH is that SQLite file.
func Open(ctx context.Context, dsn, dataDir string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	engine, target, err := parseDSN(dsn, dataDir)
	if err != nil {
		return nil, err
	}
	var s *Store
	if engine == Postgres {
		s, err = openPostgres(ctx, target)
	} else {
		s, err = openSQLite(ctx, target)
	}
	if err != nil {
		return nil, err
	}
	s.logger = logger
	logger.Debug("database opened", "engine", string(engine))
	return s, nil
}

// Close closes every pool of the store.
func (s *Store) Close() error {
	var errs []error
	if s.rdb != s.wdb {
		errs = append(errs, s.rdb.Close())
	}
	errs = append(errs, s.wdb.Close())
	if s.pool != nil {
		s.pool.Close()
	}
	return errors.Join(errs...)
}

// Engine reports which database engine the store uses.
func (s *Store) Engine() Engine { return s.engine }

// DB returns the pool for writes and transactions (on SQLite the
// single-connection writer pool). River's database/sql drivers use it, and so
// may callers that need a transaction spanning store work and job inserts.
func (s *Store) DB() *sql.DB { return s.wdb }

// PgxPool returns the pgx pool behind DB on PostgreSQL and nil on SQLite.
// River's pgx driver needs it.
func (s *Store) PgxPool() *pgxpool.Pool { return s.pool }

// Ping checks that the database answers on both pools.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.wdb.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if s.rdb != s.wdb {
		if err := s.rdb.PingContext(ctx); err != nil {
			return fmt.Errorf("store: ping readers: %w", err)
		}
	}
	return nil
}

// now is the store's clock for CreatedAt/UpdatedAt: UTC, truncated to the
// microsecond both engines keep, so values read back compare equal.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// norm prepares a caller-supplied time for storage the same way.
func norm(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
