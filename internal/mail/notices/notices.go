// Package notices tells the sender of an email to fax what became of it:
// an acceptance notice when the message is accepted, then per fax a
// success notice (with the transmission report PDF) or a failure notice
// with the reason in plain words. Notices answer the sender's email
// (In-Reply-To and References carry its Message-ID, the subject is
// "Re: ..."), so mail clients thread them.
//
// No backscatter: notices only go to senders the SMTP server let in (an
// authenticated user, a user whose From passed DMARC-aligned SPF/DKIM, an
// allowlisted sender), at the address recorded with the fax
// (senders.Origin); refused messages are refused during the SMTP session
// and never answered by email. Notices to one address are rate limited
// (Config.PerHour, per node); the ones over the limit are dropped and
// logged.
//
// Outcome notices are durable: PublishFaxTx (called by faxout inside the
// transaction that makes an emailed fax final) queues a River job
// "email_fax_notice", whose worker composes the notice and hands it to
// outbound.Mailer, itself a durable job.
package notices

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"golang.org/x/time/rate"

	"faxgate/internal/faxout"
	"faxgate/internal/jobs"
	"faxgate/internal/mail/outbound"
	"faxgate/internal/mail/senders"
	"faxgate/internal/mail/smtpd"
	"faxgate/internal/model"
)

// Faxes is what the notices read of the fax service (*faxout.Service).
type Faxes interface {
	Get(ctx context.Context, actor model.Actor, id string) (model.Fax, error)
	TransmissionReport(ctx context.Context, actor model.Actor, faxID string) ([]byte, error)
}

// Config tunes the notices; zero values take the defaults in brackets.
type Config struct {
	// PerHour is how many notices one address gets per hour [60]; the
	// burst is a third.
	PerHour float64
	// OriginWait is how long an outcome notice waits for the fax's origin
	// to be recorded (it is written right after the fax is queued) [1 min].
	OriginWait time.Duration
	Logger     Logger
}

// Logger is the part of *slog.Logger used.
type Logger interface {
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
}

// Service sends the notices.
type Service struct {
	senders *senders.Service
	faxes   Faxes
	cfg     Config
	mailer  atomic.Pointer[outbound.Mailer]
	ins     atomic.Value // jobs.Inserter
	limMu   sync.Mutex
	lim     map[string]*rate.Limiter
}

// New returns the service; Use must hand it the mailer and the job
// inserter before fax events flow.
func New(s *senders.Service, faxes Faxes, cfg Config) *Service {
	if cfg.PerHour <= 0 {
		cfg.PerHour = 60
	}
	if cfg.OriginWait <= 0 {
		cfg.OriginWait = time.Minute
	}
	return &Service{senders: s, faxes: faxes, cfg: cfg, lim: map[string]*rate.Limiter{}}
}

// Use sets the mailer and the job inserter (built after the workers).
func (s *Service) Use(m *outbound.Mailer, ins jobs.Inserter) {
	s.mailer.Store(m)
	s.ins.Store(insBox{ins})
}

type insBox struct{ jobs.Inserter }

var _ smtpd.Notifier = (*Service)(nil)

// allow applies the per-address rate limit.
func (s *Service) allow(addr string) bool {
	s.limMu.Lock()
	defer s.limMu.Unlock()
	addr = strings.ToLower(addr)
	l := s.lim[addr]
	if l == nil {
		if len(s.lim) > 10000 {
			clear(s.lim)
		}
		l = rate.NewLimiter(rate.Limit(s.cfg.PerHour/3600), max(1, int(s.cfg.PerHour/3)))
		s.lim[addr] = l
	}
	return l.Allow()
}

// Accepted sends the acceptance notice of a message (smtpd.Notifier).
func (s *Service) Accepted(ctx context.Context, n smtpd.Acceptance) {
	var b strings.Builder
	fmt.Fprintf(&b, "Your email %q was accepted. %s queued:\n\n", subjectOr(n.Subject), plural(len(n.Faxes), "fax", "faxes"))
	for _, f := range n.Faxes {
		fmt.Fprintf(&b, "  to %s (fax %s)\n", f.To, f.ID)
	}
	if len(n.NotSent) > 0 {
		b.WriteString("\nNot sent:\n\n")
		for _, r := range n.NotSent {
			fmt.Fprintf(&b, "  %s\n", r)
		}
	}
	b.WriteString("\nYou will get another email when each fax is delivered or has failed.\n")
	s.send(ctx, outbound.Message{TenantID: n.TenantID, To: []string{n.To}, Text: b.String(),
		Subject: reSubject(n.Subject, "fax accepted")}, n.MessageID, "")
}

// send queues a notice, threaded on msgID, unless the address is over its
// rate limit.
func (s *Service) send(ctx context.Context, m outbound.Message, msgID, faxID string) {
	mailer := s.mailer.Load()
	if mailer == nil || len(m.To) == 0 || m.To[0] == "" {
		return
	}
	if !s.allow(m.To[0]) {
		s.log().Warn("email notice dropped: too many notices to this address", "to", m.To[0], "fax", faxID)
		return
	}
	m.Kind = model.EmailKindNotice
	if faxID != "" {
		m.RelatedType, m.RelatedID = "fax", faxID
	}
	if msgID != "" {
		m.InReplyTo, m.References = msgID, []string{msgID}
	}
	if _, err := mailer.Enqueue(context.WithoutCancel(ctx), m); err != nil {
		s.log().Warn("email notice not queued", "to", m.To[0], "fax", faxID, "err", err)
	}
}

func (s *Service) log() Logger {
	if s.cfg.Logger == nil {
		return nopLogger{}
	}
	return s.cfg.Logger
}

type nopLogger struct{}

func (nopLogger) Info(string, ...any) {}
func (nopLogger) Warn(string, ...any) {}

// --- outcome notices -----------------------------------------------------------

// KindNotice is the River job kind of an outcome notice.
const KindNotice = "email_fax_notice"

// NoticeArgs are the arguments of an email_fax_notice job.
type NoticeArgs struct {
	TenantID string `json:"tenant_id"`
	FaxID    string `json:"fax_id"`
}

// Kind implements river.JobArgs.
func (NoticeArgs) Kind() string { return KindNotice }

// PublishFaxTx queues the outcome notice of an emailed fax that became
// final, in the transaction that made it so (faxout.Publisher).
func (s *Service) PublishFaxTx(ctx context.Context, tx *sql.Tx, n faxout.Notice) error {
	f := n.Fax
	if f.Source != model.SourceEmail || !f.Status.Final() {
		return nil
	}
	box, ok := s.ins.Load().(insBox)
	if !ok {
		return nil
	}
	return box.InsertTx(ctx, tx, NoticeArgs{TenantID: f.TenantID, FaxID: f.ID},
		&river.InsertOpts{MaxAttempts: 10})
}

// AddWorker registers the email_fax_notice worker.
func (s *Service) AddWorker(workers *river.Workers) {
	river.AddWorker(workers, &worker{s: s})
}

type worker struct {
	river.WorkerDefaults[NoticeArgs]
	s *Service
}

// Work composes and queues the outcome notice of one fax.
func (w *worker) Work(ctx context.Context, job *river.Job[NoticeArgs]) error {
	s := w.s
	if s.mailer.Load() == nil {
		return errors.New("notices: no mailer yet") // Use runs before the workers start; retried
	}
	o, err := s.senders.Origin(ctx, job.Args.TenantID, job.Args.FaxID)
	switch {
	case errors.Is(err, model.ErrNotFound) && time.Since(job.CreatedAt) < s.cfg.OriginWait:
		return river.JobSnooze(time.Second)
	case errors.Is(err, model.ErrNotFound):
		return nil // not from an accepted email (or its origin was lost): no notice
	case err != nil:
		return err
	}
	if o.NotifyTo == "" {
		return nil
	}
	sys := model.SystemActor()
	f, err := s.faxes.Get(ctx, sys, o.FaxID)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	m := outbound.Message{TenantID: f.TenantID, To: []string{o.NotifyTo}}
	if f.Status == model.FaxDelivered {
		m.Subject, m.Text = reSubject(o.Subject, "fax delivered"), deliveredText(f)
		pdf, err := s.faxes.TransmissionReport(ctx, sys, f.ID)
		if err != nil {
			s.log().Warn("email notice: no transmission report", "fax", f.ID, "err", err)
			m.Text += "\nThe transmission report could not be made; it is on the fax's page in the portal.\n"
		} else if ok, _ := s.mailer.Load().AttachmentsFit(ctx, int64(len(pdf))); ok {
			m.Attachments = []outbound.Attachment{{Name: "transmission-report-" + f.ID + ".pdf",
				ContentType: "application/pdf", Reader: bytes.NewReader(pdf)}}
			m.Text += "\nThe transmission report is attached.\n"
		}
	} else {
		m.Subject, m.Text = reSubject(o.Subject, "fax failed"), failedText(f)
	}
	s.send(ctx, m, o.MessageID, f.ID)
	return nil
}

func deliveredText(f model.Fax) string {
	t := f.CompletedAt
	if t.IsZero() {
		t = time.Now()
	}
	s := fmt.Sprintf("Your fax %q to %s was delivered: %s sent, at %s.\n", subjectOr(f.Title), f.To,
		plural(f.PagesSent, "page", "pages"), t.UTC().Format("2 Jan 2006 15:04 MST"))
	if f.RemoteStationID != "" {
		s += fmt.Sprintf("The receiving fax machine identified itself as %q.\n", f.RemoteStationID)
	}
	return s
}

func failedText(f model.Fax) string {
	why := Reason(f.Cause)
	if f.Status == model.FaxCanceled {
		why = "it was canceled"
	}
	s := fmt.Sprintf("Your fax %q to %s could not be delivered after %s: %s.\n", subjectOr(f.Title), f.To,
		plural(f.Tries, "attempt", "attempts"), why)
	if f.ResultText != "" {
		s += fmt.Sprintf("Details: %s\n", f.ResultText)
	}
	return s + "\nYou can send it again by replying with the same attachments to the same address, " +
		"or from the portal.\n"
}

// Reason says a failure cause in plain words.
func Reason(c model.Cause) string {
	switch c {
	case model.CauseBusy:
		return "the line was busy every time"
	case model.CauseNoAnswer:
		return "nobody answered"
	case model.CauseRejected:
		return "the call was refused by the telephone network or the receiving side"
	case model.CauseUnreachable:
		return "the number does not exist or cannot be reached"
	case model.CauseFaxNegotiation:
		return "the call was answered, but not by a fax machine that could receive it"
	case model.CauseFaxTransfer:
		return "the connection broke while the pages were being sent"
	case model.CauseNetwork:
		return "the telephone line provider failed"
	case model.CauseCanceled:
		return "it was canceled"
	}
	return "the fax service had an internal error"
}

// reSubject answers the sender's subject, saying what the notice is.
func reSubject(subject, what string) string {
	s := strings.TrimSpace(subject)
	if s == "" {
		return "Your fax: " + what
	}
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300])
	}
	if !strings.HasPrefix(strings.ToLower(s), "re:") {
		s = "Re: " + s
	}
	return s + " [" + what + "]"
}

func subjectOr(s string) string {
	if s == "" {
		return "(no subject)"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
