package store

import (
	"context"

	"faxgate/internal/model"
)

const importCols = `id, tenant_id, group_id, user_id, user_email, filename, file_key, file_bytes, options, status,
	rows_done, bytes_read, result, error, created_at, updated_at`

func scanImport(r rowScanner) (model.ContactImport, error) {
	var i model.ContactImport
	err := r.Scan(&i.ID, &i.TenantID, &i.GroupID, &i.UserID, &i.UserEmail, &i.Filename, &i.FileKey, &i.FileBytes,
		&i.Options, &i.Status, &i.RowsDone, &i.BytesRead, &i.Result, &i.Error, scanTime(&i.CreatedAt), scanTime(&i.UpdatedAt))
	return i, err
}

// CreateContactImport inserts a queued import (the caller sets ID and
// FileKey), setting CreatedAt and UpdatedAt.
func (s *Store) CreateContactImport(ctx context.Context, i *model.ContactImport) error {
	n := *i
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	if n.Status == "" {
		n.Status = model.ImportQueued
	}
	_, err := s.wdb.ExecContext(ctx, `INSERT INTO contact_imports (`+importCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		n.ID, n.TenantID, n.GroupID, n.UserID, n.UserEmail, n.Filename, n.FileKey, n.FileBytes, n.Options, n.Status,
		n.RowsDone, n.BytesRead, n.Result, n.Error, s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err != nil {
		return s.mapErr(err)
	}
	*i = n
	return nil
}

// GetContactImport returns the import id if it is in scope, else ErrNotFound.
func (s *Store) GetContactImport(ctx context.Context, scope model.Scope, id string) (model.ContactImport, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.ContactImport{}, err
	}
	w.add("id = ?", id)
	i, err := scanImport(s.rdb.QueryRowContext(ctx, `SELECT `+importCols+` FROM contact_imports`+w.sql(), w.args...))
	return i, s.mapErr(err)
}

// SetContactImportProgress records the state and progress of import id.
func (s *Store) SetContactImportProgress(ctx context.Context, id string, status model.ImportStatus, rows, bytes int64) error {
	return s.execOne(ctx, `UPDATE contact_imports SET status = $1, rows_done = $2, bytes_read = $3, updated_at = $4
		WHERE id = $5`, status, rows, bytes, s.tv(now()), id)
}

// FinishContactImport records the end of import id: done with its result
// JSON or failed with errText; the file key is cleared.
func (s *Store) FinishContactImport(ctx context.Context, id string, status model.ImportStatus, rows, bytes int64, result, errText string) error {
	return s.execOne(ctx, `UPDATE contact_imports SET status = $1, rows_done = $2, bytes_read = $3, result = $4,
		error = $5, file_key = '', updated_at = $6 WHERE id = $7`, status, rows, bytes, result, errText, s.tv(now()), id)
}
