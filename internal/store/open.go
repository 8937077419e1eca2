package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqliteFile is the database file name inside the data folder.
const sqliteFile = "faxgate.db"

// sqliteReaders is the size of the SQLite read-only pool. WAL lets readers
// run beside the single writer; a few suffice for a one-node portal.
const sqliteReaders = 4

// sqlitePragmas apply to every SQLite connection: WAL for concurrent readers,
// enforced foreign keys, a generous busy timeout for other processes (the CLI
// beside a running server), and NORMAL sync, which is durable in WAL mode
// except for the last transactions on power loss.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

// parseDSN decides the engine and returns the engine-specific target: the
// PostgreSQL URL or the SQLite file path.
func parseDSN(dsn, dataDir string) (Engine, string, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return Postgres, dsn, nil
	case dsn == "":
		if dataDir == "" {
			dataDir = "."
		}
		return SQLite, filepath.Join(dataDir, sqliteFile), nil
	}
	path := dsn
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		if rest, ok := strings.CutPrefix(dsn, p); ok {
			path = rest
			break
		}
	}
	if path == "" || strings.ContainsAny(path, "?#") || strings.Contains(dsn, "://") && !strings.HasPrefix(dsn, "sqlite://") {
		return "", "", fmt.Errorf("store: unsupported database %q: want postgres://..., sqlite:PATH or a file path", redact(dsn))
	}
	return SQLite, path, nil
}

// redact hides a password in a DSN for error messages.
func redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if user, _, ok := strings.Cut(userinfo, ":"); ok {
		return dsn[:scheme+3] + user + ":xxxxx" + dsn[at:]
	}
	return dsn
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	// Immediate transactions take the write lock at BEGIN, so a transaction
	// that reads first never fails to upgrade (SQLITE_BUSY without waiting).
	wdb, err := sql.Open("sqlite", path+"?"+sqlitePragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	// The writer connects first so WAL mode is set before readers attach.
	if err := wdb.PingContext(ctx); err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite", path+"?"+sqlitePragmas+"&_pragma=query_only(1)")
	if err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(sqliteReaders)
	rdb.SetMaxIdleConns(sqliteReaders)
	rdb.SetConnMaxLifetime(0)
	rdb.SetConnMaxIdleTime(0)
	return &Store{engine: SQLite, wdb: wdb, rdb: rdb}, nil
}

// createPrivate creates the database folder and an empty database file
// readable by the owner only (password hashes live there); SQLite gives the
// -wal and -shm files the database file's permissions. Existing files are
// left as they are.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("store: create data folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: create database: %w", err)
	}
	return f.Close()
}

// pgDefaultMaxConns replaces pgxpool's small default (4 on two cores):
// River's workers, its listener and HTTP requests share the pool.
const pgDefaultMaxConns = 20

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: parse PostgreSQL DSN %q: %w", redact(dsn), err)
	}
	if !strings.Contains(dsn, "pool_max_conns=") {
		cfg.MaxConns = pgDefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL %s: %w", redact(dsn), err)
	}
	db := stdlib.OpenDBFromPool(pool)
	return &Store{engine: Postgres, wdb: db, rdb: db, pool: pool}, nil
}
