package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"faxgate/internal/model"
)

// OutboundEmailFilter narrows ListOutboundEmails. Zero fields do not filter.
type OutboundEmailFilter struct {
	RelatedType, RelatedID string
	Status                 model.EmailStatus
	Kind                   string
	TenantID               string // platform scope only
}

const outboundEmailCols = `id, tenant_id, message_id, kind, related_type, related_id, recipients, reply_to,
	subject, text_body, html_body, in_reply_to, refs, status, attempts, last_error, last_attempt_at, sent_at,
	created_at, updated_at`

func scanOutboundEmail(r rowScanner) (model.OutboundEmail, error) {
	var e model.OutboundEmail
	var to, refs string
	err := r.Scan(&e.ID, scanStr(&e.TenantID), &e.MessageID, &e.Kind, &e.RelatedType, &e.RelatedID, &to,
		&e.ReplyTo, &e.Subject, &e.TextBody, &e.HTMLBody, &e.InReplyTo, &refs, &e.Status, &e.Attempts,
		&e.LastError, scanTime(&e.LastAttemptAt), scanTime(&e.SentAt), scanTime(&e.CreatedAt), scanTime(&e.UpdatedAt))
	if err != nil {
		return e, err
	}
	if err := unmarshalList(to, &e.To); err != nil {
		return e, err
	}
	return e, unmarshalList(refs, &e.References)
}

// InsertOutboundEmailTx inserts a queued email and its attachments inside
// tx (so that the job sending it can be inserted in the same transaction).
// It sets ID (unless given), Status queued, Attempts 0, CreatedAt and
// UpdatedAt. An unknown tenant is ErrNotFound.
func (s *Store) InsertOutboundEmailTx(ctx context.Context, tx *sql.Tx, e *model.OutboundEmail) error {
	n := *e
	if n.ID == "" {
		n.ID = model.NewID(model.PrefixOutboundEmail)
	}
	n.Status, n.Attempts, n.LastError = model.EmailQueued, 0, ""
	n.CreatedAt = now()
	n.UpdatedAt = n.CreatedAt
	_, err := tx.ExecContext(ctx, `INSERT INTO outbound_emails (id, tenant_id, message_id, kind, related_type,
		related_id, recipients, reply_to, subject, text_body, html_body, in_reply_to, refs, status, attempts,
		last_error, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, '', $15, $16)`,
		n.ID, nullStr(n.TenantID), n.MessageID, n.Kind, n.RelatedType, n.RelatedID, mustJSON(emptyIfNil(n.To)),
		n.ReplyTo, n.Subject, n.TextBody, n.HTMLBody, n.InReplyTo, mustJSON(emptyIfNil(n.References)), n.Status,
		s.tv(n.CreatedAt), s.tv(n.UpdatedAt))
	if err = s.mapErr(err); errors.Is(err, errForeignKey) {
		return fmt.Errorf("email of tenant %s: %w", n.TenantID, model.ErrNotFound)
	} else if err != nil {
		return err
	}
	for i := range n.Attachments {
		a := &n.Attachments[i]
		a.Position = i + 1
		_, err := tx.ExecContext(ctx, `INSERT INTO outbound_email_attachments (email_id, position, filename,
			content_type, size_bytes, blob_key, owned) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			n.ID, a.Position, a.Filename, a.ContentType, a.SizeBytes, a.BlobKey, a.Owned)
		if err != nil {
			return s.mapErr(err)
		}
	}
	*e = n
	return nil
}

// GetOutboundEmail returns an email with its attachments. Tenant scopes
// see their tenant's emails only; platform mail (no tenant) only the
// platform scope. Anything else is ErrNotFound.
func (s *Store) GetOutboundEmail(ctx context.Context, scope model.Scope, id string) (model.OutboundEmail, error) {
	var w where
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return model.OutboundEmail{}, err
	}
	w.add("id = ?", id)
	e, err := scanOutboundEmail(s.rdb.QueryRowContext(ctx, `SELECT `+outboundEmailCols+` FROM outbound_emails`+w.sql(), w.args...))
	if err != nil {
		return model.OutboundEmail{}, s.mapErr(err)
	}
	e.Attachments, err = s.outboundAttachments(ctx, e.ID)
	return e, err
}

func (s *Store) outboundAttachments(ctx context.Context, id string) ([]model.EmailAttachment, error) {
	return queryList(ctx, s, `SELECT position, filename, content_type, size_bytes, blob_key, owned
		FROM outbound_email_attachments WHERE email_id = $1 ORDER BY position`, []any{id},
		func(r rowScanner) (model.EmailAttachment, error) {
			var a model.EmailAttachment
			err := r.Scan(&a.Position, &a.Filename, &a.ContentType, &a.SizeBytes, &a.BlobKey, &a.Owned)
			return a, err
		})
}

// ListOutboundEmails lists emails newest first, without their attachments
// (GetOutboundEmail has them). Tenant scopes see their tenant's emails only.
func (s *Store) ListOutboundEmails(ctx context.Context, scope model.Scope, f OutboundEmailFilter, o model.ListOptions) ([]model.OutboundEmail, string, error) {
	p := page[model.OutboundEmail]{
		base:    `SELECT ` + outboundEmailCols + ` FROM outbound_emails`,
		timeCol: "created_at", idCol: "id",
		scan: scanOutboundEmail,
		key:  func(e model.OutboundEmail) cursor { return cursor{e.CreatedAt, e.ID} },
	}
	if err := p.w.scoped(scope, "tenant_id"); err != nil {
		return nil, "", err
	}
	if f.RelatedType != "" || f.RelatedID != "" {
		p.w.add("related_type = ? AND related_id = ?", f.RelatedType, f.RelatedID)
	}
	if f.Status != "" {
		p.w.add("status = ?", f.Status)
	}
	if f.Kind != "" {
		p.w.add("kind = ?", f.Kind)
	}
	if f.TenantID != "" && scope.IsPlatform() {
		p.w.add("tenant_id = ?", f.TenantID)
	}
	return p.run(ctx, s, o)
}

// BeginOutboundEmailAttempt counts one more try of a queued email (system
// use: the sending job) and returns the email with its attachments. An
// email that is no longer queued is returned unchanged, so the caller sees
// it was sent or failed already; an unknown id is ErrNotFound.
func (s *Store) BeginOutboundEmailAttempt(ctx context.Context, id string, at time.Time) (model.OutboundEmail, error) {
	at = norm(at)
	if _, err := s.execCount(ctx, `UPDATE outbound_emails SET attempts = attempts + 1, last_attempt_at = $1,
		updated_at = $1 WHERE id = $2 AND status = 'queued'`, s.tv(at), id); err != nil {
		return model.OutboundEmail{}, err
	}
	return s.GetOutboundEmail(ctx, model.PlatformScope(), id)
}

// SetOutboundEmailResult records the outcome of a try of a queued email:
// status queued (will be retried) or failed with the error, or sent
// (SentAt = at, error cleared). Sent and failed are final: an email no
// longer queued is left alone and ErrConflict is returned; an unknown id
// is ErrNotFound.
func (s *Store) SetOutboundEmailResult(ctx context.Context, id string, status model.EmailStatus, lastError string, at time.Time) error {
	if !status.Valid() {
		return model.Invalid("status", "must be queued, sent or failed")
	}
	at = norm(at)
	var sentAt any
	if status == model.EmailSent {
		sentAt, lastError = s.tv(at), ""
	}
	n, err := s.execCount(ctx, `UPDATE outbound_emails SET status = $1, last_error = $2, sent_at = $3, updated_at = $4
		WHERE id = $5 AND status = 'queued'`, status, lastError, sentAt, s.tv(at), id)
	if err != nil || n == 1 {
		return err
	}
	if _, err := s.GetOutboundEmail(ctx, model.PlatformScope(), id); err != nil {
		return err
	}
	return fmt.Errorf("email %s is no longer queued: %w", id, model.ErrConflict)
}
