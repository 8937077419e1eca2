package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"faxgate/internal/model"
)

// tv converts a time into the engine's column value: unix microseconds on
// SQLite, a UTC time.Time on PostgreSQL, NULL for the zero time.
func (s *Store) tv(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	if s.engine == SQLite {
		return t.UnixMicro()
	}
	return t
}

// timeDest scans either engine's time column (NULL = zero time).
type timeDest struct{ t *time.Time }

func scanTime(t *time.Time) sql.Scanner { return timeDest{t} }

func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
	case int64:
		*d.t = time.UnixMicro(v).UTC()
	case time.Time:
		*d.t = v.UTC()
	default:
		return fmt.Errorf("store: cannot scan %T into a time", src)
	}
	return nil
}

// strDest scans a nullable text column, NULL = "".
type strDest struct{ s *string }

func scanStr(s *string) sql.Scanner { return strDest{s} }

func (d strDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.s = ""
	case string:
		*d.s = v
	case []byte:
		*d.s = string(v)
	default:
		return fmt.Errorf("store: cannot scan %T into a string", src)
	}
	return nil
}

// nullStr stores "" as NULL (nullable unique or foreign-key columns).
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// where collects AND-ed conditions written with "?" and numbers them $1..
// in order, so conditions can be added conditionally.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	if strings.Count(cond, "?") != len(args) {
		panic("store: placeholder count mismatch in " + cond) // programming error
	}
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// arg appends one argument and returns its placeholder, for use outside
// the WHERE clause (LIMIT, SET).
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// sql renders " WHERE ..." (or "") with $n placeholders. Call it once, before
// arg(), since numbering follows the order of args.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" WHERE ")
	n := 0
	for i, c := range w.conds {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('(')
		for _, r := range c {
			if r == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(r)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// scoped adds the tenant condition for scope on column col, or fails for
// the zero scope.
func (w *where) scoped(scope model.Scope, col string) error {
	if !scope.Valid() {
		return ErrInvalidScope
	}
	if !scope.IsPlatform() {
		w.add(col+" = ?", scope.TenantID())
	}
	return nil
}

// likePattern builds a case-insensitive "contains" pattern for
// lower(col) LIKE ? ESCAPE '\'.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(q)) + "%"
}

// prefixPattern builds a case-sensitive prefix pattern for LIKE ? ESCAPE '\'.
func prefixPattern(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}

// execOne runs a write that must touch exactly one row; zero rows is
// model.ErrNotFound.
func (s *Store) execOne(ctx context.Context, query string, args ...any) error {
	res, err := s.wdb.ExecContext(ctx, query, args...)
	if err != nil {
		return s.mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// execCount runs a write and returns how many rows it touched.
func (s *Store) execCount(ctx context.Context, query string, args ...any) (int, error) {
	res, err := s.wdb.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, s.mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// queryList runs a list query and scans every row.
func queryList[T any](ctx context.Context, s *Store, query string, args []any, scan func(rowScanner) (T, error)) ([]T, error) {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
