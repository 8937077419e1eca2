// Package faxoutsubmit connects the SMTP front door (smtpd) to the outbound
// fax service: it submits smtpd.FaxRequests as faxout submissions with
// source "email".
package faxoutsubmit

import (
	"context"

	"faxgate/internal/faxout"
	"faxgate/internal/mail/smtpd"
	"faxgate/internal/model"
)

// Submitter is an smtpd.Submitter backed by *faxout.Service.
type Submitter struct{ fo *faxout.Service }

// New returns the adapter.
func New(fo *faxout.Service) *Submitter { return &Submitter{fo: fo} }

var _ smtpd.Submitter = (*Submitter)(nil)

// SubmitEmailFax queues the fax with source email (caller ID, retries and
// retry delay are the tenant's defaults).
func (s *Submitter) SubmitEmailFax(ctx context.Context, actor model.Actor, r smtpd.FaxRequest) (string, error) {
	f, _, err := s.fo.Submit(ctx, actor, faxout.SubmitInput{
		To: r.To, DocumentID: r.DocumentID, Title: r.Title, CoverPage: r.CoverPage,
		CallerID: r.CallerID, Retries: r.Retries,
		Source: model.SourceEmail, IdempotencyKey: r.IdempotencyKey,
	})
	return f.ID, err
}
