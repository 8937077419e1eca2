package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"faxgate/internal/store"
)

// EnvPostgres names the environment variable holding the PostgreSQL DSN for
// tests, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvPostgres = "FAXGATE_TEST_POSTGRES"

// Engine is a named way to open test stores.
type Engine struct {
	Name string
	Open Opener
}

// Engines returns SQLite, plus PostgreSQL when FAXGATE_TEST_POSTGRES is set.
// Tests that want to run on every engine loop over it:
//
//	for _, e := range storetest.Engines() {
//		t.Run(e.Name, func(t *testing.T) { st := e.Open(t); ... })
//	}
func Engines() []Engine {
	engines := []Engine{{"sqlite", func(t *testing.T) *store.Store { return OpenSQLite(t) }}}
	if dsn := os.Getenv(EnvPostgres); dsn != "" {
		engines = append(engines, Engine{"postgres", func(t *testing.T) *store.Store { return OpenPostgres(t, dsn) }})
	}
	return engines
}

// OpenSQLite returns a fresh, migrated SQLite store in a temporary folder,
// closed when the test ends.
func OpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	return openMigrated(t, "", t.TempDir())
}

// OpenPostgres returns a fresh, migrated store in a new schema of the
// PostgreSQL database named by dsn (a postgres:// URL). The schema is
// dropped when the test ends, so parallel test processes never meet.
func OpenPostgres(t testing.TB, dsn string) *store.Store {
	t.Helper()
	schema := "faxgate_t_" + randomHex(8)
	admin := connect(t, dsn)
	exec(t, admin, "CREATE SCHEMA "+schema)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
		_ = admin.Close(ctx)
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return openMigrated(t, u.String(), "")
}

func openMigrated(t testing.TB, dsn, dataDir string) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := store.Open(ctx, dsn, dataDir, nil)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("store.Close: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("store.Migrate: %v", err)
	}
	return s
}

func connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvPostgres, err)
	}
	return conn
}

func exec(t testing.TB, conn *pgx.Conn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}
