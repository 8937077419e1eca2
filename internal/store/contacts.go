package store

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"faxgate/internal/model"
)

// ContactSort orders ListContacts.
type ContactSort string

// Contact list orders: newest first (the default) or by name (last name,
// then first name, A-Z).
const (
	SortCreated ContactSort = "created"
	SortName    ContactSort = "name"
)

// ContactFilter narrows ListContacts. Zero fields do not filter.
type ContactFilter struct {
	Query   string // substring of the name, fax, email or company (case-insensitive)
	GroupID string // only members of this group
	Sort    ContactSort
}

const contactCols = `c.id, c.tenant_id, c.first_name, c.last_name, c.fax, c.email, c.company, c.address,
	c.description, c.custom1, c.custom2, c.custom3, c.custom4, c.custom5, c.created_at, c.updated_at`

func scanContact(r rowScanner) (model.Contact, error) {
	var c model.Contact
	err := r.Scan(&c.ID, &c.TenantID, &c.FirstName, &c.LastName, &c.Fax, &c.Email, &c.Company, &c.Address,
		&c.Description, &c.Custom[0], &c.Custom[1], &c.Custom[2], &c.Custom[3], &c.Custom[4],
		scanTime(&c.CreatedAt), scanTime(&c.UpdatedAt))
	return c, err
}

// sortName is the name sort key: "last first", lower case.
func sortName(c model.Contact) string {
	return strings.ToLower(strings.TrimSpace(c.LastName + " " + c.FirstName))
}

func (s *Store) contactErr(err error) error {
	err = conflictAs(s.mapErr(err), "fax")
	if err == errForeignKey {
		return model.Invalid("tenant_id", "no such tenant")
	}
	return err
}

// CreateContact inserts c (validated and normalised by the caller), setting
// ID, CreatedAt and UpdatedAt. A fax number the tenant has already is a
// *model.ConflictError{"fax"}.
func (s *Store) CreateContact(ctx context.Context, c *model.Contact) error {
	n := *c
	n.ID = model.NewID(model.PrefixContact)
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO contacts (id, tenant_id, first_name, last_name, sort_name, fax,
		email, company, address, description, custom1, custom2, custom3, custom4, custom5, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		n.ID, n.TenantID, n.FirstName, n.LastName, sortName(n), n.Fax, n.Email, n.Company, n.Address,
		n.Description, n.Custom[0], n.Custom[1], n.Custom[2], n.Custom[3], n.Custom[4],
		s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err != nil {
		return s.contactErr(err)
	}
	*c = n
	return nil
}

// GetContact returns the contact id if it is in scope, else ErrNotFound.
func (s *Store) GetContact(ctx context.Context, scope model.Scope, id string) (model.Contact, error) {
	return s.getContactBy(ctx, scope, "c.id = ?", id)
}

// GetContactByFax returns the tenant's contact with the E.164 fax number,
// else ErrNotFound.
func (s *Store) GetContactByFax(ctx context.Context, scope model.Scope, tenantID, fax string) (model.Contact, error) {
	if !scope.Allows(tenantID) {
		if !scope.Valid() {
			return model.Contact{}, ErrInvalidScope
		}
		return model.Contact{}, model.ErrNotFound
	}
	return s.getContactBy(ctx, model.TenantScope(tenantID), "c.fax = ?", fax)
}

func (s *Store) getContactBy(ctx context.Context, scope model.Scope, cond string, arg any) (model.Contact, error) {
	w := where{}
	if err := w.scoped(scope, "c.tenant_id"); err != nil {
		return model.Contact{}, err
	}
	w.add(cond, arg)
	c, err := scanContact(s.rdb.QueryRowContext(ctx, `SELECT `+contactCols+` FROM contacts c`+w.sql(), w.args...))
	return c, s.mapErr(err)
}

// UpdateContact saves every field of c (the tenant never changes) if it is
// in scope, and sets UpdatedAt. A clash on the fax is a ConflictError{"fax"}.
func (s *Store) UpdateContact(ctx context.Context, scope model.Scope, c *model.Contact) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", c.ID)
	updated := now()
	q := `UPDATE contacts SET first_name = $%, last_name = $%, sort_name = $%, fax = $%, email = $%, company = $%,
		address = $%, description = $%, custom1 = $%, custom2 = $%, custom3 = $%, custom4 = $%, custom5 = $%,
		updated_at = $%`
	vals := []any{c.FirstName, c.LastName, sortName(*c), c.Fax, c.Email, c.Company, c.Address, c.Description,
		c.Custom[0], c.Custom[1], c.Custom[2], c.Custom[3], c.Custom[4], s.tv(updated)}
	q = numberFrom(q, len(w.args)+1)
	args := append(append([]any{}, w.args...), vals...)
	// The WHERE placeholders come first ($1..), the SET ones after.
	err := s.execOne(ctx, q+w.sql(), args...)
	if err != nil {
		return s.contactErr(err)
	}
	c.UpdatedAt = updated
	return nil
}

// numberFrom replaces each "$%" in q with $first, $first+1, ...
func numberFrom(q string, first int) string {
	var b strings.Builder
	for {
		i := strings.Index(q, "$%")
		if i < 0 {
			b.WriteString(q)
			return b.String()
		}
		b.WriteString(q[:i])
		b.WriteString("$" + strconv.Itoa(first))
		first++
		q = q[i+2:]
	}
}

// DeleteContact removes the contact id (and its group memberships) if it is
// in scope, else ErrNotFound.
func (s *Store) DeleteContact(ctx context.Context, scope model.Scope, id string) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", id)
	return s.execOne(ctx, `DELETE FROM contacts`+w.sql(), w.args...)
}

// CountContacts counts the scope's contacts.
func (s *Store) CountContacts(ctx context.Context, scope model.Scope) (int, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return 0, err
	}
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM contacts`+w.sql(), w.args...).Scan(&n)
	return n, s.mapErr(err)
}

// ListContacts lists the scope's contacts, newest first or by name
// (f.Sort), one keyset page at a time.
func (s *Store) ListContacts(ctx context.Context, scope model.Scope, f ContactFilter, o model.ListOptions) ([]model.Contact, string, error) {
	w := where{}
	if err := w.scoped(scope, "c.tenant_id"); err != nil {
		return nil, "", err
	}
	if f.GroupID != "" {
		w.add("c.id IN (SELECT contact_id FROM contact_group_members WHERE group_id = ?)", f.GroupID)
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		w.add(`lower(c.first_name || ' ' || c.last_name) LIKE ? ESCAPE '\' OR c.sort_name LIKE ? ESCAPE '\'
			OR c.fax LIKE ? ESCAPE '\' OR lower(c.email) LIKE ? ESCAPE '\' OR lower(c.company) LIKE ? ESCAPE '\'`,
			pat, pat, pat, pat, pat)
	}
	base := `SELECT ` + contactCols + ` FROM contacts c`
	switch f.Sort {
	case "", SortCreated:
		p := page[model.Contact]{base: base, w: w, timeCol: "c.created_at", idCol: "c.id", scan: scanContact,
			key: func(c model.Contact) cursor { return cursor{c.CreatedAt, c.ID} }}
		return p.run(ctx, s, o)
	case SortName:
		return s.listContactsByName(ctx, base, w, o)
	default:
		return nil, "", model.Invalid("sort", "must be created or name")
	}
}

// listContactsByName pages by (sort_name, id) ascending; its cursor is
// "n" + base64(sort_name NUL id).
func (s *Store) listContactsByName(ctx context.Context, base string, w where, o model.ListOptions) ([]model.Contact, string, error) {
	o = o.Normalize(DefaultLimit, MaxLimit)
	if o.Cursor != "" {
		name, id, err := decodeNameCursor(o.Cursor)
		if err != nil {
			return nil, "", err
		}
		w.add("c.sort_name > ? OR (c.sort_name = ? AND c.id > ?)", name, name, id)
	}
	q := base + w.sql() + " ORDER BY c.sort_name, c.id LIMIT " + w.arg(o.Limit+1)
	items, err := queryList(ctx, s, q, w.args, scanContact)
	if err != nil || len(items) <= o.Limit {
		return items, "", err
	}
	items = items[:o.Limit]
	last := items[len(items)-1]
	return items, "n" + base64.RawURLEncoding.EncodeToString([]byte(sortName(last)+"\x00"+last.ID)), nil
}

func decodeNameCursor(c string) (string, string, error) {
	bad := model.Invalid("cursor", "malformed or expired cursor")
	rest, ok := strings.CutPrefix(c, "n")
	if !ok {
		return "", "", bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return "", "", bad
	}
	name, id, ok := strings.Cut(string(raw), "\x00")
	if !ok || id == "" {
		return "", "", bad
	}
	return name, id, nil
}

// EachContact calls fn for every contact of the scope in a group (groupID
// "" = all), oldest first, streaming the rows (for CSV export). An error
// from fn stops the walk and is returned.
func (s *Store) EachContact(ctx context.Context, scope model.Scope, groupID string, fn func(model.Contact) error) error {
	w := where{}
	if err := w.scoped(scope, "c.tenant_id"); err != nil {
		return err
	}
	if groupID != "" {
		w.add("c.id IN (SELECT contact_id FROM contact_group_members WHERE group_id = ?)", groupID)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+contactCols+` FROM contacts c`+w.sql()+
		` ORDER BY c.created_at, c.id`, w.args...)
	if err != nil {
		return s.mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}
