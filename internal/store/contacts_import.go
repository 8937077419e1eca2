package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"faxgate/internal/model"
)

// ImportCounts is what one ImportContacts batch did.
type ImportCounts struct {
	Imported   int // new contacts
	Updated    int // existing contacts merged with the row
	Duplicates int // rows whose fax an earlier row of the same import had
}

// MaxImportBatch bounds the rows of one ImportContacts call.
const MaxImportBatch = 1000

// ImportContacts writes one batch of validated, normalised rows of the CSV
// import importID into the tenant's address book and the group (groupID ""
// = none), in one transaction. Merge rule, by fax number:
//   - a fax the tenant does not have yet becomes a new contact;
//   - a fax of an existing contact updates it with the row's non-empty
//     fields (empty cells keep what is stored);
//   - a fax an earlier row of the same import wrote (this batch or an
//     earlier one, recognised by contacts.last_import_id) is a duplicate:
//     the first row wins and the later one is only counted.
//
// Every row's contact (also duplicates) ends up a member of the group.
func (s *Store) ImportContacts(ctx context.Context, tenantID, groupID, importID string, rows []model.Contact) (ImportCounts, error) {
	var n ImportCounts
	if tenantID == "" || importID == "" || len(rows) > MaxImportBatch {
		return n, fmt.Errorf("store: ImportContacts needs a tenant, an import id and at most %d rows", MaxImportBatch)
	}
	if len(rows) == 0 {
		return n, nil
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return n, s.mapErr(err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	seen, err := s.existingByFax(ctx, tx, tenantID, rows)
	if err != nil {
		return n, err
	}
	b, err := s.prepareImport(ctx, tx, groupID != "")
	if err != nil {
		return n, err
	}
	defer b.close()
	at := s.tv(now())
	var fresh []model.Contact
	members := make([]string, 0, len(rows))
	inGroup := make(map[string]bool, len(rows))
	for _, r := range rows {
		id, isNew, err := b.apply(ctx, s, importID, r, at, seen, &n)
		if err != nil {
			return n, err
		}
		if isNew {
			fresh = append(fresh, seen[r.Fax].c)
		}
		if !inGroup[id] {
			inGroup[id] = true
			members = append(members, id)
		}
	}
	if err := s.insertContacts(ctx, tx, tenantID, importID, at, fresh); err != nil {
		return n, err
	}
	if groupID != "" {
		if err := s.insertMembers(ctx, tx, groupID, members); err != nil {
			return n, err
		}
	}
	if err := tx.Commit(); err != nil {
		return n, s.mapErr(err)
	}
	return n, nil
}

// known is a contact of the tenant met by an import batch.
type known struct {
	c        model.Contact
	importID string
}

// existingByFax loads the tenant's contacts whose fax is among the rows'.
func (s *Store) existingByFax(ctx context.Context, tx *sql.Tx, tenantID string, rows []model.Contact) (map[string]known, error) {
	w := where{}
	w.add("c.tenant_id = ?", tenantID)
	marks := make([]string, 0, len(rows))
	for _, r := range rows {
		marks = append(marks, "?")
		w.args = append(w.args, r.Fax)
	}
	w.conds = append(w.conds, "c.fax IN ("+strings.Join(marks, ", ")+")")
	res, err := tx.QueryContext(ctx, `SELECT `+contactCols+`, c.last_import_id FROM contacts c`+w.sql(), w.args...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer res.Close()
	seen := make(map[string]known, len(rows))
	for res.Next() {
		var k known
		c := &k.c
		err := res.Scan(&c.ID, &c.TenantID, &c.FirstName, &c.LastName, &c.Fax, &c.Email, &c.Company, &c.Address,
			&c.Description, &c.Custom[0], &c.Custom[1], &c.Custom[2], &c.Custom[3], &c.Custom[4],
			scanTime(&c.CreatedAt), scanTime(&c.UpdatedAt), &k.importID)
		if err != nil {
			return nil, err
		}
		seen[c.Fax] = k
	}
	return seen, res.Err()
}

// importStmts are the prepared statements of one import batch.
type importStmts struct {
	update *sql.Stmt
}

func (s *Store) prepareImport(ctx context.Context, tx *sql.Tx, _ bool) (*importStmts, error) {
	st, err := tx.PrepareContext(ctx, `UPDATE contacts SET first_name = $2, last_name = $3,
		sort_name = $4, email = $5, company = $6, address = $7, description = $8, custom1 = $9, custom2 = $10,
		custom3 = $11, custom4 = $12, custom5 = $13, last_import_id = $14, updated_at = $15 WHERE id = $1`)
	if err != nil {
		return nil, s.mapErr(err)
	}
	return &importStmts{update: st}, nil
}

func (b *importStmts) close() { b.update.Close() }

// Rows per multi-row INSERT (17 parameters each: well under both engines'
// parameter limits).
const insertChunk = 50

// insertContacts inserts new contacts with multi-row INSERTs.
func (s *Store) insertContacts(ctx context.Context, tx *sql.Tx, tenantID, importID string, at any, cs []model.Contact) error {
	for len(cs) > 0 {
		chunk := cs[:min(insertChunk, len(cs))]
		cs = cs[len(chunk):]
		var q strings.Builder
		q.WriteString(`INSERT INTO contacts (id, tenant_id, first_name, last_name, sort_name, fax, email, company,
			address, description, custom1, custom2, custom3, custom4, custom5, last_import_id, created_at, updated_at) VALUES `)
		args := make([]any, 0, len(chunk)*17)
		for i, c := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j := range 17 {
				if j > 0 {
					q.WriteString(", ")
				}
				q.WriteString(s.ph(len(args) + j + 1))
			}
			q.WriteString(", " + s.ph(len(args)+17) + ")")
			args = append(args, c.ID, tenantID, c.FirstName, c.LastName, sortName(c), c.Fax, c.Email, c.Company,
				c.Address, c.Description, c.Custom[0], c.Custom[1], c.Custom[2], c.Custom[3], c.Custom[4], importID, at)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return s.contactErr(err)
		}
	}
	return nil
}

// ph is the n-th numbered placeholder of a long statement: "?NNN" on
// SQLite (its "$NNN" are named parameters, matched by a linear search that
// makes a 850-parameter statement slow to prepare), "$NNN" on PostgreSQL.
func (s *Store) ph(n int) string {
	if s.engine == SQLite {
		return "?" + strconv.Itoa(n)
	}
	return "$" + strconv.Itoa(n)
}

// insertMembers adds contacts to a group, skipping members already in it.
func (s *Store) insertMembers(ctx context.Context, tx *sql.Tx, groupID string, ids []string) error {
	for len(ids) > 0 {
		chunk := ids[:min(500, len(ids))]
		ids = ids[len(chunk):]
		var q strings.Builder
		q.WriteString(`INSERT INTO contact_group_members (group_id, contact_id) VALUES `)
		args := []any{groupID}
		for i, id := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			args = append(args, id)
			q.WriteString("(" + s.ph(1) + ", " + s.ph(len(args)) + ")")
		}
		q.WriteString(" ON CONFLICT DO NOTHING")
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return s.mapErr(err)
		}
	}
	return nil
}

// apply handles one row: a duplicate or an update is written at once, a
// new contact is only given its id and recorded in seen (the caller
// inserts the new ones together). It returns the contact's id and whether
// it is new.
func (b *importStmts) apply(ctx context.Context, s *Store, importID string, r model.Contact, at any, seen map[string]known, n *ImportCounts) (string, bool, error) {
	k, ok := seen[r.Fax]
	isNew := false
	switch {
	case ok && k.importID == importID:
		n.Duplicates++
		return k.c.ID, false, nil
	case ok:
		m := mergeContact(k.c, r)
		_, err := b.update.ExecContext(ctx, m.ID, m.FirstName, m.LastName, sortName(m), m.Email, m.Company, m.Address,
			m.Description, m.Custom[0], m.Custom[1], m.Custom[2], m.Custom[3], m.Custom[4], importID, at)
		if err != nil {
			return "", false, s.mapErr(err)
		}
		k.c = m
		n.Updated++
	default:
		k.c = r
		k.c.ID = model.NewID(model.PrefixContact)
		isNew = true
		n.Imported++
	}
	k.importID = importID
	seen[r.Fax] = k
	return k.c.ID, isNew, nil
}

// mergeContact returns old with every non-empty field of r.
func mergeContact(old, r model.Contact) model.Contact {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&old.FirstName, r.FirstName)
	set(&old.LastName, r.LastName)
	set(&old.Email, r.Email)
	set(&old.Company, r.Company)
	set(&old.Address, r.Address)
	set(&old.Description, r.Description)
	for i := range old.Custom {
		set(&old.Custom[i], r.Custom[i])
	}
	return old
}
