package store

import (
	"context"
	"database/sql"
	"errors"

	"faxgate/internal/model"
)

// DNCFilter narrows ListDNC. Zero fields do not filter.
type DNCFilter struct {
	Query  string // substring of the number or note (case-insensitive)
	Global bool   // platform scope: list the global list (else every tenant's entries)
}

const dncCols = `id, tenant_id, number, note, created_by, created_at`

func scanDNC(r rowScanner) (model.DNCEntry, error) {
	var d model.DNCEntry
	err := r.Scan(&d.ID, scanStr(&d.TenantID), &d.Number, &d.Note, &d.CreatedBy, scanTime(&d.CreatedAt))
	return d, err
}

// AddDNC puts d.Number (E.164) on a do-not-contact list: the tenant's when
// d.TenantID is set, the global list otherwise. It sets ID and CreatedAt; a
// number already on that list is a *model.ConflictError{"number"}.
func (s *Store) AddDNC(ctx context.Context, d *model.DNCEntry) error {
	n := *d
	n.ID = model.NewID(model.PrefixDNC)
	n.CreatedAt = now()
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO dnc_entries (id, tenant_id, number, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, n.ID, nullStr(n.TenantID), n.Number, n.Note, n.CreatedBy, s.tv(n.CreatedAt))
	if err != nil {
		err = conflictAs(s.mapErr(err), "number")
		if errors.Is(err, errForeignKey) {
			return model.Invalid("tenant_id", "no such tenant")
		}
		return err
	}
	*d = n
	return nil
}

// GetDNC returns the entry id if it is in scope (a tenant scope sees its
// own entries only; the platform scope every entry), else ErrNotFound.
func (s *Store) GetDNC(ctx context.Context, scope model.Scope, id string) (model.DNCEntry, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.DNCEntry{}, err
	}
	w.add("id = ?", id)
	d, err := scanDNC(s.rdb.QueryRowContext(ctx, `SELECT `+dncCols+` FROM dnc_entries`+w.sql(), w.args...))
	return d, s.mapErr(err)
}

// RemoveDNC deletes the entry id if it is in scope, else ErrNotFound.
func (s *Store) RemoveDNC(ctx context.Context, scope model.Scope, id string) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", id)
	return s.execOne(ctx, `DELETE FROM dnc_entries`+w.sql(), w.args...)
}

// ListDNC lists entries newest first: a tenant scope its own list, the
// platform scope the global list (f.Global) or every tenant's entries.
func (s *Store) ListDNC(ctx context.Context, scope model.Scope, f DNCFilter, o model.ListOptions) ([]model.DNCEntry, string, error) {
	p := page[model.DNCEntry]{
		base:    `SELECT ` + dncCols + ` FROM dnc_entries`,
		timeCol: "created_at", idCol: "id", scan: scanDNC,
		key: func(d model.DNCEntry) cursor { return cursor{d.CreatedAt, d.ID} },
	}
	if err := p.w.scoped(scope, "tenant_id"); err != nil {
		return nil, "", err
	}
	if scope.IsPlatform() {
		if f.Global {
			p.w.add("tenant_id IS NULL")
		} else {
			p.w.add("tenant_id IS NOT NULL")
		}
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		p.w.add(`number LIKE ? ESCAPE '\' OR lower(note) LIKE ? ESCAPE '\'`, pat, pat)
	}
	return p.run(ctx, s, o)
}

// FindDNC returns the entry that blocks the E.164 number for the tenant:
// the tenant's own entry first, else the global one; ok is false when the
// number is on neither list.
func (s *Store) FindDNC(ctx context.Context, tenantID, number string) (model.DNCEntry, bool, error) {
	d, err := scanDNC(s.rdb.QueryRowContext(ctx, `SELECT `+dncCols+` FROM dnc_entries
		WHERE number = $1 AND (tenant_id = $2 OR tenant_id IS NULL)
		ORDER BY CASE WHEN tenant_id IS NULL THEN 1 ELSE 0 END LIMIT 1`, number, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return model.DNCEntry{}, false, nil
	}
	if err != nil {
		return model.DNCEntry{}, false, s.mapErr(err)
	}
	return d, true, nil
}

// CountDNC counts a tenant's entries (tenant scope) or the global list
// (platform scope).
func (s *Store) CountDNC(ctx context.Context, scope model.Scope) (int, error) {
	if !scope.Valid() {
		return 0, ErrInvalidScope
	}
	q, args := `SELECT count(*) FROM dnc_entries WHERE tenant_id IS NULL`, []any{}
	if !scope.IsPlatform() {
		q, args = `SELECT count(*) FROM dnc_entries WHERE tenant_id = $1`, []any{scope.TenantID()}
	}
	var n int
	err := s.rdb.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, s.mapErr(err)
}

// ImportDNC adds a batch of entries (at most MaxImportBatch, all of one
// list) in one transaction, skipping numbers already on their list. It
// returns how many were added.
func (s *Store) ImportDNC(ctx context.Context, entries []model.DNCEntry) (int, error) {
	if len(entries) > MaxImportBatch {
		return 0, errors.New("store: ImportDNC batch too large")
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.mapErr(err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	st, err := tx.PrepareContext(ctx, `INSERT INTO dnc_entries (id, tenant_id, number, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`)
	if err != nil {
		return 0, s.mapErr(err)
	}
	defer st.Close()
	at, added := s.tv(now()), 0
	for _, d := range entries {
		res, err := st.ExecContext(ctx, model.NewID(model.PrefixDNC), nullStr(d.TenantID), d.Number, d.Note, d.CreatedBy, at)
		if err != nil {
			if err = s.mapErr(err); errors.Is(err, errForeignKey) {
				return 0, model.Invalid("tenant_id", "no such tenant")
			}
			return 0, err
		}
		n, _ := res.RowsAffected()
		added += int(n)
	}
	return added, s.mapErr(tx.Commit())
}
