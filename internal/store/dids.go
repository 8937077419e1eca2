package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"faxgate/internal/model"
)

// DIDFilter narrows ListDIDs. Zero fields do not filter.
type DIDFilter struct {
	Query      string // substring of the number or label (case-insensitive)
	TenantID   string // platform scope only: the DIDs of one tenant
	Unassigned bool   // platform scope only: the spare DIDs of the pool
	UserID     string // the DIDs routed to one user
}

const didCols = `id, number, tenant_id, label, user_id, action, forward_emails, webhook_url, webhook_secret,
	station_id, assigned_at, created_at, updated_at`

func (s *Store) scanDID(r rowScanner) (model.DID, error) {
	var d model.DID
	var emails string
	err := r.Scan(&d.ID, &d.Number, scanStr(&d.TenantID), &d.Label, scanStr(&d.UserID), &d.Action, &emails,
		&d.WebhookURL, s.sealed(colDIDWebhook, &d.WebhookSecret), &d.StationID, scanTime(&d.AssignedAt), scanTime(&d.CreatedAt),
		scanTime(&d.UpdatedAt))
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(emails), &d.ForwardEmails); err != nil {
		return d, fmt.Errorf("store: did %s forward_emails: %w", d.ID, err)
	}
	if len(d.ForwardEmails) == 0 {
		d.ForwardEmails = nil
	}
	return d, nil
}

// didErr maps DID write errors: a clash is on the number, a foreign-key
// failure an unknown tenant or user.
func (s *Store) didErr(err error) error {
	err = conflictAs(s.mapErr(err), "number")
	if errors.Is(err, errForeignKey) {
		return model.Invalid("did", "refers to a tenant or user that does not exist")
	}
	return err
}

func emailsJSON(list []string) string {
	if len(list) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(list) // []string always marshals
	return string(b)
}

// CreateDIDs inserts DIDs of the pool in one transaction, setting ID,
// CreatedAt and UpdatedAt of each. With skipExisting, numbers already in
// the pool are left alone and reported in skipped (in input order);
// without it, the first clash fails the whole batch with
// *model.ConflictError{"number"}. The caller normalises the numbers.
func (s *Store) CreateDIDs(ctx context.Context, dids []*model.DID, skipExisting bool) (skipped []string, err error) {
	conflict := ""
	if skipExisting {
		conflict = " ON CONFLICT (number) DO NOTHING"
	}
	at := now()
	err = s.RunTx(ctx, func(tx *sql.Tx) error {
		skipped = skipped[:0]
		for _, d := range dids {
			id := model.NewID(model.PrefixDID)
			if d.Action == "" {
				d.Action = model.DIDInbox
			}
			secret, err := s.sealStr(colDIDWebhook, d.WebhookSecret)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO dids (id, number, tenant_id, label, user_id, action,
				forward_emails, webhook_url, webhook_secret, station_id, assigned_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`+conflict,
				id, d.Number, nullStr(d.TenantID), d.Label, nullStr(d.UserID), d.Action, emailsJSON(d.ForwardEmails),
				d.WebhookURL, secret, d.StationID, s.tv(d.AssignedAt), s.tv(at), s.tv(at))
			if err != nil {
				return s.didErr(err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				skipped = append(skipped, d.Number)
				continue
			}
			d.ID, d.CreatedAt, d.UpdatedAt = id, at, at
			d.AssignedAt = norm(d.AssignedAt)
		}
		return nil
	})
	if err != nil {
		for _, d := range dids {
			d.ID = ""
		}
		return nil, err
	}
	return skipped, nil
}

// GetDID returns the DID id if it is in the scope (a tenant scope sees only
// the DIDs assigned to it), else ErrNotFound.
func (s *Store) GetDID(ctx context.Context, scope model.Scope, id string) (model.DID, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.DID{}, err
	}
	w.add("id = ?", id)
	d, err := s.scanDID(s.rdb.QueryRowContext(ctx, `SELECT `+didCols+` FROM dids`+w.sql(), w.args...))
	return d, s.mapErr(err)
}

// GetDIDByNumber returns the DID with the E.164 number (system use: call
// routing), or ErrNotFound.
func (s *Store) GetDIDByNumber(ctx context.Context, number string) (model.DID, error) {
	d, err := s.scanDID(s.rdb.QueryRowContext(ctx, `SELECT `+didCols+` FROM dids WHERE number = $1`, number))
	return d, s.mapErr(err)
}

// UpdateDID saves every field of d but the number and the creation time
// (tenant, label, routing, assignment time) and sets UpdatedAt. System
// use: the service checks who may change what.
func (s *Store) UpdateDID(ctx context.Context, d *model.DID) error {
	updated := now()
	secret, err := s.sealStr(colDIDWebhook, d.WebhookSecret)
	if err != nil {
		return err
	}
	err = s.execOne(ctx, `UPDATE dids SET tenant_id = $1, label = $2, user_id = $3, action = $4,
		forward_emails = $5, webhook_url = $6, webhook_secret = $7, station_id = $8, assigned_at = $9,
		updated_at = $10 WHERE id = $11`,
		nullStr(d.TenantID), d.Label, nullStr(d.UserID), d.Action, emailsJSON(d.ForwardEmails), d.WebhookURL,
		secret, d.StationID, s.tv(d.AssignedAt), s.tv(updated), d.ID)
	if err != nil {
		return s.didErr(err)
	}
	d.UpdatedAt = updated
	d.AssignedAt = norm(d.AssignedAt)
	return nil
}

// DeleteDID removes the DID id from the pool (ErrNotFound if absent).
// Received faxes keep their number and DID id as history.
func (s *Store) DeleteDID(ctx context.Context, id string) error {
	return s.execOne(ctx, `DELETE FROM dids WHERE id = $1`, id)
}

// ListDIDs lists the scope's DIDs newest first: a tenant scope lists the
// DIDs assigned to the tenant, the platform scope the whole pool.
func (s *Store) ListDIDs(ctx context.Context, scope model.Scope, f DIDFilter, o model.ListOptions) ([]model.DID, string, error) {
	p := page[model.DID]{
		base:    `SELECT ` + didCols + ` FROM dids`,
		timeCol: "created_at", idCol: "id",
		scan: s.scanDID,
		key:  func(d model.DID) cursor { return cursor{d.CreatedAt, d.ID} },
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
	if f.UserID != "" {
		p.w.add("user_id = ?", f.UserID)
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		p.w.add(`number LIKE ? ESCAPE '\' OR lower(label) LIKE ? ESCAPE '\'`, pat, pat)
	}
	return p.run(ctx, s, o)
}

// CountDIDs counts the scope's DIDs matching f.
func (s *Store) CountDIDs(ctx context.Context, scope model.Scope, f DIDFilter) (int, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return 0, err
	}
	if f.TenantID != "" {
		w.add("tenant_id = ?", f.TenantID)
	}
	if f.Unassigned {
		w.add("tenant_id IS NULL")
	}
	if f.UserID != "" {
		w.add("user_id = ?", f.UserID)
	}
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM dids`+w.sql(), w.args...).Scan(&n)
	return n, s.mapErr(err)
}
