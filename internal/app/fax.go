package app

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/campaign"
	"faxgate/internal/faxin"
	"faxgate/internal/faxout"
	"faxgate/internal/faxout/line"
	"faxgate/internal/mail/outbound"
	"faxgate/internal/mail/smtpd"
	"faxgate/internal/mail/smtpd/faxoutsubmit"
	"faxgate/internal/model"
	"faxgate/internal/notify"
)

// Bounds of the fax queue's size when --fax-workers is 0 (auto): the
// trunks' channels in total plus faxHeadroom workers for jobs waiting for a
// channel, within [minFaxWorkers, maxAutoFaxWorkers]. One worker is held
// per call in progress, so the queue's size is the node's outbound
// capacity; a larger one would let jobs that find every channel busy spin
// on the database.
const (
	minFaxWorkers     = 40
	maxAutoFaxWorkers = 1000
	faxHeadroom       = 10
)

// autoFaxWorkers sizes the fax queue for trunks with this many channels in
// total.
func autoFaxWorkers(channels int) int {
	return min(max(channels+faxHeadroom, minFaxWorkers), maxAutoFaxWorkers)
}

// addFaxQueue adds the fax queue to the River client before it starts,
// sized by --fax-workers or, when 0, from every trunk's channels as the
// migrated database holds them (a trunk added or enlarged later counts
// from the next start). It runs once.
func (a *App) addFaxQueue(ctx context.Context) error {
	if a.faxQueue > 0 {
		return nil
	}
	trunks, err := a.store.ListTrunks(ctx)
	if err != nil {
		return fmt.Errorf("fax queue: %w", err)
	}
	channels := 0
	for _, t := range trunks {
		channels += t.MaxChannels
	}
	n := a.cfg.FaxWorkers
	if n == 0 {
		n = autoFaxWorkers(channels)
	}
	if err := a.jobs.AddQueue(faxout.Queue, faxout.QueueConfig(n)); err != nil {
		return err
	}
	a.faxQueue = n
	a.log.Info("fax queue", "workers", n, "trunk_channels", channels, "flag", a.cfg.FaxWorkers)
	if channels > n {
		a.log.Warn("the trunks have more channels than this node runs calls at once; raise --fax-workers "+
			"(or leave it 0 and restart) to use them all", "fax_workers", n, "trunk_channels", channels)
	}
	return nil
}

// FaxWorkers is the fax queue's size once started: how many outbound calls
// this node runs at once.
func (a *App) FaxWorkers() int { return a.faxQueue }

// webhookWorkers bounds concurrent webhook deliveries per node.
const webhookWorkers = 10

// faxServices are the fax components built before the River client: their
// workers must be registered first.
type faxServices struct {
	periodic []*river.PeriodicJob
	whCfg    notify.WebhookConfig
	mailCfg  outbound.Config
}

// buildFax creates the inbound and outbound fax services, the webhook and
// email workers and the contacts service, registering their workers.
func (a *App) buildFax(ctx context.Context, workers *river.Workers) (faxServices, error) {
	var fs faxServices
	var err error
	a.faxin, err = faxin.New(faxin.Deps{Store: a.store, Blob: a.blobs, Audit: a.audit, Logger: a.log, Now: a.o.now},
		faxin.Config{SpoolDir: filepath.Join(a.cfg.DataDir, "spool", "rx"),
			PortalURL: strings.TrimSuffix(a.cfg.PublicURL, "/")})
	if err != nil {
		return fs, fmt.Errorf("faxin: %w", err)
	}
	// The contacts service holds the do-not-contact lists that every send
	// path must honour, so it exists before faxout.
	a.contacts = campaign.NewService(a.store, a.audit, a.log, a.o.now)
	var node string
	var fcfg faxout.Config
	if a.o.faxoutConfig != nil {
		a.o.faxoutConfig(&fcfg)
	}
	a.faxout, err = faxout.New(faxout.Deps{Store: a.store, Blob: a.blobs, Audit: a.audit, Logger: a.log,
		Now: a.o.now, Lines: a.lines(&node), Publisher: a.contacts.FaxResults(&a.faxEvents), Blocklist: a.contacts},
		fcfg)
	if err != nil {
		return fs, fmt.Errorf("faxout: %w", err)
	}
	node = a.faxout.Node()
	fs.periodic = append(fs.periodic, a.faxout.AddWorkers(workers)...)
	fs.periodic = append(fs.periodic, a.faxin.AddWorkers(workers))

	// The platform setting "allow private webhook targets" is read by
	// notify at every check, so a change applies without a restart.
	fs.whCfg = notify.WebhookConfig{Logger: a.log}
	if a.o.webhookConfig != nil {
		a.o.webhookConfig(&fs.whCfg)
	}
	whCleanup, err := notify.AddWebhookWorkers(workers, a.store, a.audit, fs.whCfg)
	if err != nil {
		return fs, fmt.Errorf("webhooks: %w", err)
	}
	fs.periodic = append(fs.periodic, whCleanup)
	fs.mailCfg = outbound.Config{Logger: a.log}
	outbound.AddWorker(workers, a.store, a.blobs, fs.mailCfg)
	a.buildEmail(workers)

	campaign.NewImportWorker(a.contacts).Register(workers)
	// Campaigns submit through faxout; their sender uses the real clock
	// (pacing), not the services' (possibly simulated) one.
	a.sender = campaign.NewSender(a.contacts, a.faxout, campaign.SenderConfig{Logger: a.log})
	fs.periodic = append(fs.periodic, a.sender.AddWorkers(workers)...)
	return fs, nil
}

// lines is faxout's line factory: test trunks get the built-in test line,
// whose calls to this node's own DIDs are received by faxin through the
// real fax engine; other kinds as faxout's default. node is read at dial
// time (the service names it once built).
func (a *App) lines(node *string) faxout.LineFactory {
	def := faxout.DefaultLines(a.log)
	return func(t model.Trunk) (line.Line, error) {
		if t.Kind == model.TrunkSIP {
			if a.sip == nil {
				return nil, line.ErrNoSIP
			}
			return a.sip.line(t)
		}
		if t.Kind != model.TrunkTest {
			return def(t)
		}
		rt := t.Speed == model.SpeedRealtime
		return line.NewTest(line.TestConfig{Realtime: rt, T38: t.T38, RingTimeout: t.RingTimeoutOrDefault(),
			Logger: a.log, Local: a.faxin.LocalLine(faxin.LocalConfig{Realtime: rt, T38: t.T38 != model.T38Off,
				Node: *node})}), nil
	}
}

// useJobs hands the River client to the fax services (before Start).
func (a *App) useJobs(fs faxServices) error {
	wh, err := notify.NewWebhooks(a.store, a.jobs, a.audit, fs.whCfg)
	if err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	a.webhooks = wh
	a.faxEvents.wh.Store(wh)
	a.mailer = outbound.NewMailer(a.store, a.blobs, a.jobs, a.audit, fs.mailCfg)
	a.useEmailJobs()
	a.faxout.UseJobs(a.jobs)
	a.faxin.UseJobs(a.jobs, wh, a.mailer)
	a.contacts.EnableImportJobs(a.blobs, a.jobs)
	a.sender.UseWebhooks(wh)
	return nil
}

// buildSMTP creates the email-to-fax server when --smtp is on and an email
// domain is set; it listens from Serve.
func (a *App) buildSMTP() error {
	if !a.cfg.SMTPEnabled() || a.cfg.EmailDomain == "" {
		return nil
	}
	srv, err := smtpd.New(smtpd.Deps{Store: a.store, Auth: a.auth, Tenancy: a.tenancy, Documents: a.docs,
		Submitter: faxoutsubmit.New(a.faxout), Audit: a.audit, Logger: a.log,
		Senders: a.email.senders, Checker: a.senderChecker(), Notices: a.email.notices},
		smtpd.Config{Domain: a.cfg.EmailDomain, DataDir: a.cfg.DataDir, CertFile: a.cfg.SMTPCert, KeyFile: a.cfg.SMTPKey})
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	a.smtp = srv
	return nil
}

// startSMTP binds the SMTP listener and serves it in the background; it
// logs plainly why SMTP is off when it is.
func (a *App) startSMTP() error {
	switch {
	case !a.cfg.SMTPEnabled():
		a.log.Info("smtp: disabled (--smtp off)")
		return nil
	case a.smtp == nil:
		a.log.Warn("smtp: disabled: no email domain; set --email-domain to accept email to fax", "addr", a.cfg.SMTPAddr)
		return nil
	}
	ln, err := net.Listen("tcp", a.cfg.SMTPAddr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	a.smtpAddr.Store(ln.Addr().String())
	a.log.Info("smtp: listening", "addr", ln.Addr().String(), "domain", a.cfg.EmailDomain)
	go func() {
		if err := a.smtp.Serve(ln); err != nil {
			a.log.Error("smtp", "err", err)
		}
	}()
	return nil
}

// stopSMTP stops accepting mail and waits for messages in DATA (bounded by
// ctx); it runs before the workers stop.
func (a *App) stopSMTP(ctx context.Context) error {
	if a.smtp == nil || a.SMTPAddr() == "" {
		return nil
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := a.smtp.Shutdown(sctx); err != nil {
		return fmt.Errorf("smtp shutdown: %w", err)
	}
	return nil
}

// SMTPAddr is the address the SMTP server listens on, once Serve bound it.
func (a *App) SMTPAddr() string {
	s, _ := a.smtpAddr.Load().(string)
	return s
}

// Accessors for the CLI and tests.
func (a *App) Faxout() *faxout.Service     { return a.faxout }
func (a *App) Faxin() *faxin.Service       { return a.faxin }
func (a *App) Webhooks() *notify.Webhooks  { return a.webhooks }
func (a *App) Mailer() *outbound.Mailer    { return a.mailer }
func (a *App) Contacts() *campaign.Service { return a.contacts }
