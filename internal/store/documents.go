package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"faxgate/internal/model"
)

// DocumentFilter narrows ListDocuments and CountDocuments. Zero fields do
// not filter.
type DocumentFilter struct {
	Query    string // case-insensitive substring of the name
	Status   model.DocumentStatus
	UserID   string // uploader
	TenantID string // only meaningful in the platform scope; a tenant scope already fixes it
}

// DocumentResult is what a finished conversion stores: Status ready with
// Pages, SizeBytes and FileKey, or failed with Error.
type DocumentResult struct {
	Status    model.DocumentStatus
	Pages     int
	SizeBytes int64
	Error     string
	ErrorCode string
	FileKey   string
}

// querier is what both *sql.DB and *sql.Tx offer, so document writes can
// run alone or inside a caller's transaction (the one that also enqueues
// the conversion job).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const documentCols = `id, tenant_id, user_id, name, description, quality, status, pages, size_bytes, error,
	error_code, file_key, revision, progress_done, progress_total, created_at, updated_at`

func scanDocument(r rowScanner) (model.Document, error) {
	var d model.Document
	err := r.Scan(&d.ID, &d.TenantID, scanStr(&d.UserID), &d.Name, &d.Description, &d.Quality, &d.Status,
		&d.Pages, &d.SizeBytes, &d.Error, &d.ErrorCode, &d.FileKey, &d.Revision, &d.PagesDone, &d.PagesTotal,
		scanTime(&d.CreatedAt), scanTime(&d.UpdatedAt))
	return d, err
}

// documentChecks maps the documents tables' CHECK constraints to the field
// at fault (the services validate first; this is the backstop).
var documentChecks = []struct{ name, field, reason string }{
	{"documents_quality_check", "quality", "must be standard, fine or superfine"},
	{"documents_status_check", "status", "must be processing, ready or failed"},
	{"documents_pages_check", "pages", "must not be negative"},
	{"documents_size_bytes_check", "size_bytes", "must not be negative"},
	{"documents_revision_check", "revision", "must be at least 1"},
	{"document_sources_position_check", "position", "must be at least 1"},
	{"document_sources_size_bytes_check", "size_bytes", "must not be negative"},
}

// docErr maps a documents write error: CHECK violations of the documents
// tables become *model.ValidationError, unknown tenants or users a
// validation error too, the rest as mapErr does.
func (s *Store) docErr(err error) error {
	if err == nil {
		return nil
	}
	if name := checkConstraint(err); name != "" {
		for _, c := range documentChecks {
			if strings.HasSuffix(name, c.name) {
				return model.Invalid(c.field, c.reason)
			}
		}
	}
	err = s.mapErr(err)
	if errors.Is(err, errForeignKey) {
		return model.Invalid("tenant_id", "no such tenant or user")
	}
	return err
}

// checkConstraint returns the CHECK constraint a driver error is about
// (SQLite: the message ending in its name), or "".
func checkConstraint(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23514" {
		return pe.ConstraintName
	}
	var le *sqlite.Error
	if errors.As(err, &le) && le.Code() == sqlite3.SQLITE_CONSTRAINT_CHECK {
		return strings.TrimSpace(stripCode(le.Error()))
	}
	return ""
}

// CreateDocument inserts d and its sources in one transaction. See
// CreateDocumentTx.
func (s *Store) CreateDocument(ctx context.Context, d *model.Document) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr(err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := s.CreateDocumentTx(ctx, tx, d); err != nil {
		return err
	}
	return s.mapErr(tx.Commit())
}

// CreateDocumentTx inserts d and its sources inside tx (a transaction on
// DB()), so that the caller can enqueue the conversion job in the same
// transaction. It sets CreatedAt and UpdatedAt, and ID and Revision (1)
// when they are empty; the caller usually chooses the ID beforehand because
// the blob keys contain it. On SQLite, use nothing but tx until it ends:
// DB() has a single connection.
func (s *Store) CreateDocumentTx(ctx context.Context, tx *sql.Tx, d *model.Document) error {
	n := *d
	if n.ID == "" {
		n.ID = model.NewID(model.PrefixDocument)
	}
	if n.Revision == 0 {
		n.Revision = 1
	}
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	_, err := tx.ExecContext(ctx, `INSERT INTO documents (id, tenant_id, user_id, name, name_lc, description,
		quality, status, pages, size_bytes, error, error_code, file_key, revision, progress_done, progress_total,
		created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		n.ID, n.TenantID, nullStr(n.UserID), n.Name, strings.ToLower(n.Name), n.Description, n.Quality,
		n.Status, n.Pages, n.SizeBytes, n.Error, n.ErrorCode, n.FileKey, n.Revision, n.PagesDone, n.PagesTotal,
		s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err != nil {
		return s.docErr(err)
	}
	for _, src := range n.Sources {
		_, err := tx.ExecContext(ctx, `INSERT INTO document_sources (document_id, position, filename,
			content_type, size_bytes, blob_key) VALUES ($1, $2, $3, $4, $5, $6)`,
			n.ID, src.Position, src.Filename, src.ContentType, src.SizeBytes, src.BlobKey)
		if err != nil {
			return s.docErr(err)
		}
	}
	*d = n
	return nil
}

// GetDocument returns document id with its sources, within the scope, else
// ErrNotFound.
func (s *Store) GetDocument(ctx context.Context, scope model.Scope, id string) (model.Document, error) {
	return s.getDocument(ctx, s.rdb, scope, id)
}

func (s *Store) getDocument(ctx context.Context, q querier, scope model.Scope, id string) (model.Document, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.Document{}, err
	}
	w.add("id = ?", id)
	d, err := scanDocument(q.QueryRowContext(ctx, `SELECT `+documentCols+` FROM documents`+w.sql(), w.args...))
	if err != nil {
		return model.Document{}, s.mapErr(err)
	}
	docs := []model.Document{d}
	if err := s.loadSources(ctx, q, scope, docs); err != nil {
		return model.Document{}, err
	}
	return docs[0], nil
}

// DocumentStatusTx is the status of a document in scope, read inside tx
// (a campaign starts only with a ready document); ErrNotFound if none.
func (s *Store) DocumentStatusTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string) (model.DocumentStatus, error) {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return "", err
	}
	w.add("id = ?", id)
	var st model.DocumentStatus
	err := tx.QueryRowContext(ctx, `SELECT status FROM documents`+w.sql(), w.args...).Scan(&st)
	return st, s.mapErr(err)
}

// loadSources fills the Sources of docs (all within scope) with one query.
func (s *Store) loadSources(ctx context.Context, q querier, scope model.Scope, docs []model.Document) error {
	if len(docs) == 0 {
		return nil
	}
	w := where{}
	if err := w.scoped(scope, "d.tenant_id"); err != nil {
		return err
	}
	index := make(map[string]int, len(docs))
	marks := make([]string, len(docs))
	args := make([]any, len(docs))
	for i, d := range docs {
		index[d.ID] = i
		marks[i], args[i] = "?", d.ID
	}
	w.add("s.document_id IN ("+strings.Join(marks, ", ")+")", args...)
	rows, err := q.QueryContext(ctx, `SELECT s.document_id, s.position, s.filename, s.content_type, s.size_bytes,
		s.blob_key FROM document_sources s JOIN documents d ON d.id = s.document_id`+w.sql()+
		` ORDER BY s.document_id, s.position`, w.args...)
	if err != nil {
		return s.mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var src model.DocumentSource
		if err := rows.Scan(&id, &src.Position, &src.Filename, &src.ContentType, &src.SizeBytes, &src.BlobKey); err != nil {
			return s.mapErr(err)
		}
		i := index[id]
		docs[i].Sources = append(docs[i].Sources, src)
	}
	return s.mapErr(rows.Err())
}

// documentWhere builds the scope and filter conditions of lists and counts.
func documentWhere(w *where, scope model.Scope, f DocumentFilter) error {
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	if f.TenantID != "" {
		w.add("tenant_id = ?", f.TenantID)
	}
	if f.Query != "" {
		w.add(`name_lc LIKE ? ESCAPE '\'`, likePattern(f.Query))
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.UserID != "" {
		w.add("user_id = ?", f.UserID)
	}
	return nil
}

// ListDocuments lists the scope's documents newest first, with their
// sources.
func (s *Store) ListDocuments(ctx context.Context, scope model.Scope, f DocumentFilter, o model.ListOptions) ([]model.Document, string, error) {
	p := page[model.Document]{
		base:    `SELECT ` + documentCols + ` FROM documents`,
		timeCol: "created_at", idCol: "id",
		scan: scanDocument,
		key:  func(d model.Document) cursor { return cursor{d.CreatedAt, d.ID} },
	}
	if err := documentWhere(&p.w, scope, f); err != nil {
		return nil, "", err
	}
	docs, next, err := p.run(ctx, s, o)
	if err != nil {
		return nil, "", err
	}
	if err := s.loadSources(ctx, s.rdb, scope, docs); err != nil {
		return nil, "", err
	}
	return docs, next, nil
}

// CountDocuments counts the scope's documents matching f.
func (s *Store) CountDocuments(ctx context.Context, scope model.Scope, f DocumentFilter) (int, error) {
	w := where{}
	if err := documentWhere(&w, scope, f); err != nil {
		return 0, err
	}
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents`+w.sql(), w.args...).Scan(&n)
	return n, s.mapErr(err)
}

// UpdateDocument saves d's name and description (the rest changes through
// RerenderDocumentTx and FinishDocument) and sets UpdatedAt. The document
// must be in the scope, else ErrNotFound.
func (s *Store) UpdateDocument(ctx context.Context, scope model.Scope, d *model.Document) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ?", d.ID)
	cond := w.sql()
	updated := now()
	set := ` SET name = ` + w.arg(d.Name) + `, name_lc = ` + w.arg(strings.ToLower(d.Name)) +
		`, description = ` + w.arg(d.Description) + `, updated_at = ` + w.arg(s.tv(updated))
	if err := s.docErr(s.execOne(ctx, `UPDATE documents`+set+cond, w.args...)); err != nil {
		return err
	}
	d.UpdatedAt = updated
	return nil
}

// RerenderDocumentTx starts a new render of document id at quality q inside
// tx: status processing, revision + 1, pages, size, error, file key and
// progress cleared. It returns the document as it was before (so the caller
// knows the old revision's files) and the new revision. ErrNotFound outside
// the scope.
func (s *Store) RerenderDocumentTx(ctx context.Context, tx *sql.Tx, scope model.Scope, id string, q model.Quality) (model.Document, int, error) {
	old, err := s.getDocument(ctx, tx, scope, id)
	if err != nil {
		return model.Document{}, 0, err
	}
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.Document{}, 0, err
	}
	w.add("id = ? AND revision = ?", id, old.Revision)
	cond := w.sql()
	set := ` SET quality = ` + w.arg(q) + `, status = ` + w.arg(model.DocumentProcessing) +
		`, revision = revision + 1, pages = 0, size_bytes = 0, error = '', error_code = '', file_key = '',
		progress_done = 0, progress_total = 0, updated_at = ` + w.arg(s.tv(now()))
	var rev int
	err = tx.QueryRowContext(ctx, `UPDATE documents`+set+cond+` RETURNING revision`, w.args...).Scan(&rev)
	if err != nil {
		return model.Document{}, 0, s.docErr(err)
	}
	return old, rev, nil
}

// SetDocumentProgress records a running conversion's progress. It changes
// nothing (and returns ErrNotFound) unless the document is still
// processing revision rev.
func (s *Store) SetDocumentProgress(ctx context.Context, scope model.Scope, id string, rev, done, total int) error {
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ? AND revision = ? AND status = ?", id, rev, model.DocumentProcessing)
	cond := w.sql()
	set := ` SET progress_done = ` + w.arg(done) + `, progress_total = ` + w.arg(total)
	return s.execOne(ctx, `UPDATE documents`+set+cond, w.args...)
}

// FinishDocument stores the result of the conversion of revision rev. It
// changes nothing and returns ErrNotFound unless the document is still
// processing that revision: a job that finished late, after a re-render or
// a delete, or that runs a second time, never overwrites newer state.
func (s *Store) FinishDocument(ctx context.Context, scope model.Scope, id string, rev int, r DocumentResult) error {
	switch r.Status {
	case model.DocumentReady:
		if r.FileKey == "" || r.Pages <= 0 {
			return fmt.Errorf("store: a ready document needs a file key and pages")
		}
		r.Error, r.ErrorCode = "", ""
	case model.DocumentFailed:
		r.FileKey, r.Pages, r.SizeBytes = "", 0, 0
	default:
		return model.Invalid("status", "a finished document is ready or failed")
	}
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return err
	}
	w.add("id = ? AND revision = ? AND status = ?", id, rev, model.DocumentProcessing)
	cond := w.sql()
	set := ` SET status = ` + w.arg(r.Status) + `, pages = ` + w.arg(r.Pages) +
		`, size_bytes = ` + w.arg(r.SizeBytes) + `, error = ` + w.arg(r.Error) +
		`, error_code = ` + w.arg(r.ErrorCode) + `, file_key = ` + w.arg(r.FileKey) +
		`, progress_done = ` + w.arg(r.Pages) + `, progress_total = ` + w.arg(r.Pages) +
		`, updated_at = ` + w.arg(s.tv(now()))
	return s.docErr(s.execOne(ctx, `UPDATE documents`+set+cond, w.args...))
}

// DeleteDocument deletes document id (and its sources) within the scope
// and returns the blob keys it referenced (rendered pages and sources) for
// the caller to delete. ErrNotFound outside the scope. If another table
// references the document with ON DELETE RESTRICT (a queued fax), the
// delete is refused with a *model.ConflictError for "document".
func (s *Store) DeleteDocument(ctx context.Context, scope model.Scope, id string) ([]string, error) {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer func() { _ = tx.Rollback() }()
	d, err := s.getDocument(ctx, tx, scope, id)
	if err != nil {
		return nil, err
	}
	w := where{}
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return nil, err
	}
	w.add("id = ?", id)
	if _, err := tx.ExecContext(ctx, `DELETE FROM documents`+w.sql(), w.args...); err != nil {
		return nil, s.inUseErr(err)
	}
	if err := tx.Commit(); err != nil {
		return nil, s.inUseErr(err) // deferred foreign keys fail here
	}
	var keys []string
	if d.FileKey != "" {
		keys = append(keys, d.FileKey)
	}
	for _, src := range d.Sources {
		keys = append(keys, src.BlobKey)
	}
	return keys, nil
}

// inUseErr maps a foreign-key violation on delete to a conflict: another
// row still needs the document.
func (s *Store) inUseErr(err error) error {
	// SQLite reports ON DELETE RESTRICT as a trigger constraint.
	var le *sqlite.Error
	if errors.As(err, &le) && le.Code() == sqlite3.SQLITE_CONSTRAINT_TRIGGER &&
		strings.Contains(le.Error(), "FOREIGN KEY") {
		return &model.ConflictError{Field: "document"}
	}
	if err = s.mapErr(err); errors.Is(err, errForeignKey) {
		return &model.ConflictError{Field: "document"}
	}
	return err
}
