// Package apptest helps tests run the real application on every store
// engine: SQLite in a temporary folder always, PostgreSQL too when
// FAXGATE_TEST_POSTGRES holds a DSN (each test in its own schema, dropped
// when the test ends).
package apptest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"faxgate/internal/store"
)

// EnvPostgres names the environment variable with the PostgreSQL test DSN.
const EnvPostgres = "FAXGATE_TEST_POSTGRES"

// Engine is a store engine; DSN returns a database for one test ("" means
// SQLite in the data folder).
type Engine struct {
	Name string
	DSN  func(t *testing.T) string
}

// Engines returns SQLite, plus PostgreSQL when FAXGATE_TEST_POSTGRES is set.
func Engines() []Engine {
	e := []Engine{{"sqlite", func(*testing.T) string { return "" }}}
	if pg := os.Getenv(EnvPostgres); pg != "" {
		e = append(e, Engine{"postgres", func(t *testing.T) string { return PostgresSchema(t, pg) }})
	}
	return e
}

// ForEachEngine runs fn as a subtest per engine.
func ForEachEngine(t *testing.T, fn func(t *testing.T, dsn func(t *testing.T) string)) {
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.DSN) })
	}
}

// PostgresSchema creates a uniquely named schema on the server of dsn and
// returns a DSN whose search_path is that schema; the schema is dropped
// when the test ends.
func PostgresSchema(t *testing.T, dsn string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvPostgres, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "faxgate_app_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		_ = conn.Close(ctx)
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Store opens and migrates a store on dsn ("" = SQLite in a temporary
// folder) and closes it when the test ends.
func Store(t *testing.T, dsn string) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, dsn, t.TempDir(), nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}
