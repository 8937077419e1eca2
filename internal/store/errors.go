package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"faxgate/internal/model"
)

// errForeignKey is what mapErr returns for a foreign-key violation; each
// method turns it into the domain error that fits (unknown tenant, ...).
var errForeignKey = errors.New("store: referenced row does not exist")

// uniqueFields maps a unique index (PostgreSQL constraint name) or the
// "table.column" SQLite names in its message to the API field that clashed.
// Index names follow <table>_<column>_key in both engines' migrations.
var uniqueFields = []struct{ index, column, field string }{
	{"tenants_name_lc_key", "tenants.name_lc", "name"},
	{"tenants_email_domain_key", "tenants.email_domain", "email_domain"},
	{"users_email_lc_key", "users.email_lc", "email"},
	{"users_api_username_lc_key", "users.api_username_lc", "api_username"},
	{"branding_domain_key", "branding.domain", "domain"},
	{"api_keys_hash_key", "api_keys.hash", "hash"},
}

// checkFields maps CHECK constraint names to the field at fault and why, so
// values the services should have refused still come back as a
// *model.ValidationError rather than a raw driver error.
var checkFields = []struct{ name, field, reason string }{
	{"tenants_status_check", "status", "must be active or suspended"},
	{"tenants_daily_page_limit_check", "daily_page_limit", "must not be negative"},
	{"tenants_monthly_page_limit_check", "monthly_page_limit", "must not be negative"},
	{"tenants_retention_days_check", "retention_days", "must not be negative"},
	{"users_role_check", "role", "must be admin, tenant or user"},
	{"users_status_check", "status", "must be active or disabled"},
	{"users_role_tenant_check", "tenant_id", "admins have no tenant; tenant and user roles need one"},
}

// mapErr turns driver errors into domain errors: no rows -> ErrNotFound,
// unique violations -> *model.ConflictError, CHECK violations ->
// *model.ValidationError, foreign keys -> errForeignKey.
// Anything else is returned wrapped with the store prefix.
func (s *Store) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return model.ErrNotFound
	}
	var le *sqlite.Error
	if errors.As(err, &le) {
		switch le.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &model.ConflictError{Field: conflictField(le.Error(), false)}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errForeignKey
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return checkErr(le.Error(), false, err)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &model.ConflictError{Field: conflictField(pe.ConstraintName, true)}
		case "23503":
			return errForeignKey
		case "23514":
			return checkErr(pe.ConstraintName, true, err)
		}
	}
	if errors.Is(err, model.ErrNotFound) || errors.Is(err, ErrInvalidScope) {
		return err
	}
	return fmt.Errorf("store: %w", err)
}

// conflictField finds the field for a PostgreSQL constraint name (exact) or
// an SQLite message (containing "table.column"). Primary-key clashes and
// unknown indexes report "id".
func conflictField(s string, exact bool) string {
	for _, u := range uniqueFields {
		if exact && s == u.index || !exact && strings.Contains(s, u.column) {
			return u.field
		}
	}
	return "id"
}

// checkErr finds the field for a CHECK constraint: by PostgreSQL constraint
// name (exact) or in an SQLite message ("CHECK constraint failed: name").
func checkErr(s string, exact bool, orig error) error {
	for _, c := range checkFields {
		if exact && s == c.name || !exact && strings.HasSuffix(strings.TrimSpace(stripCode(s)), c.name) {
			return model.Invalid(c.field, c.reason)
		}
	}
	return fmt.Errorf("store: %w", orig)
}

// stripCode drops the " (275)" result code modernc appends to messages.
func stripCode(msg string) string {
	if i := strings.LastIndex(msg, " ("); i >= 0 && strings.HasSuffix(msg, ")") {
		return msg[:i]
	}
	return msg
}
