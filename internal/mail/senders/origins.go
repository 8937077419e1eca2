package senders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"faxgate/internal/model"
)

// Origin says where the notices about an emailed fax go.
type Origin struct {
	FaxID, TenantID string
	NotifyTo        string // "" = no notices
	MessageID       string // of the email that sent the fax, without <>
	Subject         string
	CreatedAt       time.Time
}

// RecordOrigin stores the origin of a fax queued from an email (once: a
// resent message that maps to the same fax keeps the first).
func (s *Service) RecordOrigin(ctx context.Context, o Origin) error {
	_, err := s.st.DB().ExecContext(ctx, `INSERT INTO email_fax_origins (fax_id, tenant_id, notify_to, message_id,
		subject, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (fax_id) DO NOTHING`,
		o.FaxID, o.TenantID, o.NotifyTo, o.MessageID, o.Subject, s.now().UTC().UnixMicro())
	if err != nil {
		return fmt.Errorf("senders: record origin: %w", err)
	}
	return nil
}

// Origin returns the origin of a fax of the tenant, else model.ErrNotFound.
func (s *Service) Origin(ctx context.Context, tenantID, faxID string) (Origin, error) {
	o := Origin{FaxID: faxID, TenantID: tenantID}
	var at int64
	err := s.st.DB().QueryRowContext(ctx, `SELECT notify_to, message_id, subject, created_at FROM email_fax_origins
		WHERE tenant_id = $1 AND fax_id = $2`, tenantID, faxID).Scan(&o.NotifyTo, &o.MessageID, &o.Subject, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return o, model.ErrNotFound
	}
	o.CreatedAt = time.UnixMicro(at).UTC()
	if err != nil {
		return o, fmt.Errorf("senders: origin: %w", err)
	}
	return o, nil
}
