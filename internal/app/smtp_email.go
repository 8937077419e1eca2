package app

import (
	"context"
	"net"

	"github.com/riverqueue/river"

	"faxgate/internal/mail/msgauth"
	"faxgate/internal/mail/notices"
	"faxgate/internal/mail/senders"
)

// emailParts are the email-to-fax services around the SMTP server: the
// tenants' sender allowlists and fax origins, and the sender notices.
type emailParts struct {
	senders *senders.Service
	notices *notices.Service
}

// buildEmail creates them and registers the notice worker (before the
// River client exists); faxout must be built.
func (a *App) buildEmail(workers *river.Workers) {
	a.email.senders = senders.New(a.store, a.audit)
	a.email.notices = notices.New(a.email.senders, a.faxout, notices.Config{Logger: a.log})
	a.email.notices.AddWorker(workers)
}

// useEmailJobs hands the notices the mailer and the River client and lets
// fax events reach them.
func (a *App) useEmailJobs() {
	a.email.notices.Use(a.mailer, a.jobs)
	a.faxEvents.email.Store(a.email.notices)
}

// senderChecker is the SPF/DKIM/DMARC checker of senders without AUTH, on
// --smtp-dns when set, else the system resolver.
func (a *App) senderChecker() *msgauth.Checker {
	if a.cfg.SMTPDNS == "" {
		return msgauth.New(nil, 0)
	}
	addr := a.cfg.SMTPDNS
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	return msgauth.New(r, 0)
}

// EmailSenders is the allowlist service (for the CLI and tests).
func (a *App) EmailSenders() *senders.Service { return a.email.senders }
