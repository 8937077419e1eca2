package store

import (
	"context"
	"database/sql"
	"strings"

	"faxgate/internal/model"
)

// GroupFilter narrows ListGroups. Zero fields do not filter.
type GroupFilter struct {
	Query string // substring of the name or description (case-insensitive)
}

const groupCols = `g.id, g.tenant_id, g.name, g.description, g.created_at, g.updated_at,
	(SELECT count(*) FROM contact_group_members m WHERE m.group_id = g.id)`

func scanGroup(r rowScanner) (model.Group, error) {
	var g model.Group
	err := r.Scan(&g.ID, &g.TenantID, &g.Name, &g.Description, scanTime(&g.CreatedAt), scanTime(&g.UpdatedAt), &g.MemberCount)
	return g, err
}

func (s *Store) groupErr(err error) error {
	err = conflictAs(s.mapErr(err), "name")
	if err == errForeignKey {
		return model.Invalid("tenant_id", "no such tenant")
	}
	return err
}

// CreateGroup inserts g, setting ID, CreatedAt and UpdatedAt. A name the
// tenant uses already (case-insensitive) is a *model.ConflictError{"name"}.
func (s *Store) CreateGroup(ctx context.Context, g *model.Group) error {
	n := *g
	n.ID = model.NewID(model.PrefixGroup)
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	n.MemberCount = 0
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO contact_groups (id, tenant_id, name, name_lc, description,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		n.ID, n.TenantID, n.Name, strings.ToLower(n.Name), n.Description, s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err != nil {
		return s.groupErr(err)
	}
	*g = n
	return nil
}

// GetGroup returns the group id with its member count if it is in scope,
// else ErrNotFound.
func (s *Store) GetGroup(ctx context.Context, scope model.Scope, id string) (model.Group, error) {
	w := where{}
	if err := w.scoped(scope, "g.tenant_id"); err != nil {
		return model.Group{}, err
	}
	w.add("g.id = ?", id)
	g, err := scanGroup(s.rdb.QueryRowContext(ctx, `SELECT `+groupCols+` FROM contact_groups g`+w.sql(), w.args...))
	return g, s.mapErr(err)
}

// UpdateGroup saves the name and description of g if it is in scope and
// sets UpdatedAt.
func (s *Store) UpdateGroup(ctx context.Context, scope model.Scope, g *model.Group) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", g.ID)
	updated := now()
	q := numberFrom(`UPDATE contact_groups SET name = $%, name_lc = $%, description = $%, updated_at = $%`, len(w.args)+1)
	args := append(append([]any{}, w.args...), g.Name, strings.ToLower(g.Name), g.Description, s.tv(updated))
	if err := s.execOne(ctx, q+w.sql(), args...); err != nil {
		return s.groupErr(err)
	}
	g.UpdatedAt = updated
	return nil
}

// DeleteGroup removes the group id and its memberships (not the contacts)
// if it is in scope, else ErrNotFound.
func (s *Store) DeleteGroup(ctx context.Context, scope model.Scope, id string) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", id)
	return s.execOne(ctx, `DELETE FROM contact_groups`+w.sql(), w.args...)
}

// ListGroups lists the scope's groups newest first with member counts.
func (s *Store) ListGroups(ctx context.Context, scope model.Scope, f GroupFilter, o model.ListOptions) ([]model.Group, string, error) {
	p := page[model.Group]{
		base:    `SELECT ` + groupCols + ` FROM contact_groups g`,
		timeCol: "g.created_at", idCol: "g.id", scan: scanGroup,
		key: func(g model.Group) cursor { return cursor{g.CreatedAt, g.ID} },
	}
	if err := p.w.scoped(scope, "g.tenant_id"); err != nil {
		return nil, "", err
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		p.w.add(`g.name_lc LIKE ? ESCAPE '\' OR lower(g.description) LIKE ? ESCAPE '\'`, pat, pat)
	}
	return p.run(ctx, s, o)
}

// AddGroupMembers puts the contacts into the group (both must be in scope
// and of the same tenant; the group is checked by the caller's GetGroup).
// Contacts already members are skipped; unknown or other tenants' contact
// ids are ErrNotFound and nothing is added. It returns how many were added.
func (s *Store) AddGroupMembers(ctx context.Context, scope model.Scope, groupID string, contactIDs []string) (int, error) {
	return s.changeMembers(ctx, scope, groupID, contactIDs, true)
}

// RemoveGroupMembers takes the contacts out of the group (the contacts
// stay) and returns how many were members.
func (s *Store) RemoveGroupMembers(ctx context.Context, scope model.Scope, groupID string, contactIDs []string) (int, error) {
	return s.changeMembers(ctx, scope, groupID, contactIDs, false)
}

func (s *Store) changeMembers(ctx context.Context, scope model.Scope, groupID string, ids []string, add bool) (int, error) {
	g, err := s.GetGroup(ctx, scope, groupID)
	if err != nil {
		return 0, err
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.mapErr(err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	total := 0
	for _, id := range ids {
		var res interface{ RowsAffected() (int64, error) }
		if add {
			res, err = tx.ExecContext(ctx, `INSERT INTO contact_group_members (group_id, contact_id)
				SELECT $1, id FROM contacts WHERE id = $2 AND tenant_id = $3 ON CONFLICT DO NOTHING`, g.ID, id, g.TenantID)
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM contact_group_members WHERE group_id = $1 AND contact_id = $2`, g.ID, id)
		}
		if err != nil {
			return 0, s.mapErr(err)
		}
		n, _ := res.RowsAffected()
		if add && n == 0 {
			if err := s.contactInTx(ctx, tx, g.TenantID, id); err != nil {
				return 0, err
			}
		}
		total += int(n)
	}
	return total, s.mapErr(tx.Commit())
}

// contactInTx is ErrNotFound unless the tenant has the contact id.
func (s *Store) contactInTx(ctx context.Context, tx *sql.Tx, tenantID, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM contacts WHERE id = $1 AND tenant_id = $2`, id, tenantID).Scan(&one)
	return s.mapErr(err)
}
