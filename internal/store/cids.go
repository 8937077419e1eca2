package store

import (
	"context"
	"errors"

	"faxgate/internal/model"
)

// CIDFilter narrows ListCIDs. Zero fields do not filter.
type CIDFilter struct {
	Query      string // substring of the number or label (case-insensitive)
	TenantID   string // platform scope only: the CIDs of one tenant
	Unassigned bool   // platform scope only: the spare CIDs of the pool
}

const cidCols = `id, number, tenant_id, label, created_at, updated_at`

func scanCID(r rowScanner) (model.CallerID, error) {
	var c model.CallerID
	err := r.Scan(&c.ID, &c.Number, scanStr(&c.TenantID), &c.Label, scanTime(&c.CreatedAt), scanTime(&c.UpdatedAt))
	return c, err
}

// cidErr maps CID write errors: a clash is on the number, a foreign-key
// failure an unknown tenant.
func (s *Store) cidErr(err error) error {
	err = conflictAs(s.mapErr(err), "number")
	if errors.Is(err, errForeignKey) {
		return model.Invalid("tenant_id", "no such tenant")
	}
	return err
}

// CreateCID inserts a caller ID of the pool (assigned when TenantID is set),
// setting ID, CreatedAt and UpdatedAt. A number already in the pool is a
// *model.ConflictError{"number"}. The caller normalises the number.
func (s *Store) CreateCID(ctx context.Context, c *model.CallerID) error {
	n := *c
	n.ID = model.NewID(model.PrefixCallerID)
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO cids (id, number, tenant_id, label, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		n.ID, n.Number, nullStr(n.TenantID), n.Label, s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err != nil {
		return s.cidErr(err)
	}
	*c = n
	return nil
}

// GetCID returns the CID id if it is in the scope (a tenant scope sees only
// the CIDs assigned to it), else ErrNotFound.
func (s *Store) GetCID(ctx context.Context, scope model.Scope, id string) (model.CallerID, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.CallerID{}, err
	}
	w.add("id = ?", id)
	c, err := scanCID(s.rdb.QueryRowContext(ctx, `SELECT `+cidCols+` FROM cids`+w.sql(), w.args...))
	return c, s.mapErr(err)
}

// GetCIDByNumber returns the CID with the E.164 number if it is in the
// scope, else ErrNotFound.
func (s *Store) GetCIDByNumber(ctx context.Context, scope model.Scope, number string) (model.CallerID, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.CallerID{}, err
	}
	w.add("number = ?", number)
	c, err := scanCID(s.rdb.QueryRowContext(ctx, `SELECT `+cidCols+` FROM cids`+w.sql(), w.args...))
	return c, s.mapErr(err)
}

// UpdateCID saves the number, tenant and label of c (a platform
// operation) and sets UpdatedAt.
func (s *Store) UpdateCID(ctx context.Context, c *model.CallerID) error {
	updated := now()
	err := s.execOne(ctx, `UPDATE cids SET number = $1, tenant_id = $2, label = $3, updated_at = $4 WHERE id = $5`,
		c.Number, nullStr(c.TenantID), c.Label, s.tv(updated), c.ID)
	if err != nil {
		return s.cidErr(err)
	}
	c.UpdatedAt = updated
	return nil
}

// DeleteCID removes the CID id from the pool (ErrNotFound if absent).
func (s *Store) DeleteCID(ctx context.Context, id string) error {
	return s.execOne(ctx, `DELETE FROM cids WHERE id = $1`, id)
}

// ListCIDs lists the scope's CIDs newest first: a tenant scope lists the
// CIDs assigned to the tenant, the platform scope the whole pool.
func (s *Store) ListCIDs(ctx context.Context, scope model.Scope, f CIDFilter, o model.ListOptions) ([]model.CallerID, string, error) {
	p := page[model.CallerID]{
		base:    `SELECT ` + cidCols + ` FROM cids`,
		timeCol: "created_at", idCol: "id",
		scan: scanCID,
		key:  func(c model.CallerID) cursor { return cursor{c.CreatedAt, c.ID} },
	}
	if err := p.w.scoped(scope, "tenant_id"); err != nil {
		return nil, "", err
	}
	if f.TenantID != "" {
		p.w.add("tenant_id = ?", f.TenantID)
	}
	if f.Unassigned {
		p.w.add("tenant_id IS NULL")
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		p.w.add(`number LIKE ? ESCAPE '\' OR lower(label) LIKE ? ESCAPE '\'`, pat, pat)
	}
	return p.run(ctx, s, o)
}
