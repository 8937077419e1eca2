package faxin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"faxgate/internal/mail/outbound"
	"faxgate/internal/model"
	"faxgate/internal/tenancy"
	"faxgate/internal/tz"
)

// KindFaxEmail is the job that composes the fax-to-email of a received
// fax and hands it to the outbound mailer (which owns delivery retries).
const KindFaxEmail = "fax_to_email"

// FaxEmailArgs are a fax_to_email job's arguments: the fax and the DID's
// addresses when it arrived.
type FaxEmailArgs struct {
	FaxID string   `json:"fax_id"`
	To    []string `json:"to"`
}

// Kind implements river.JobArgs.
func (FaxEmailArgs) Kind() string { return KindFaxEmail }

// InsertOpts: one job per fax (a repeated Finish cannot queue two).
func (FaxEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled, rivertype.JobStateCompleted}}}
}

// enqueueEmailTx queues the fax-to-email job inside tx when the DID
// forwards by email, a mailer exists and pages arrived.
func (s *Service) enqueueEmailTx(ctx context.Context, tx *sql.Tx, f model.InboundFax, d model.DID) error {
	if s.mailer == nil || d.Action != model.DIDEmail || len(d.ForwardEmails) == 0 || f.Pages == 0 ||
		d.TenantID != f.TenantID {
		return nil
	}
	if s.jobs == nil {
		return errors.New("faxin: no job inserter (call UseJobs)")
	}
	return s.jobs.InsertTx(ctx, tx, FaxEmailArgs{FaxID: f.ID, To: d.ForwardEmails}, nil)
}

// emailWorker runs fax_to_email jobs.
type emailWorker struct {
	river.WorkerDefaults[FaxEmailArgs]
	s *Service
}

// Work composes and queues the email, once per fax.
func (w *emailWorker) Work(ctx context.Context, job *river.Job[FaxEmailArgs]) error {
	return w.s.sendFaxEmail(ctx, job.Args)
}

func (s *Service) sendFaxEmail(ctx context.Context, args FaxEmailArgs) error {
	f, err := s.st.GetInboundFax(ctx, model.PlatformScope(), args.FaxID)
	if errors.Is(err, model.ErrNotFound) {
		return river.JobCancel(err) // deleted meanwhile: nothing to send
	}
	if err != nil {
		return err
	}
	// A retried job must not send twice: the mailer's record is the proof.
	done, err := s.mailer.ForObject(ctx, model.TenantScope(f.TenantID), "fax", f.ID)
	if err != nil {
		return err
	}
	for _, e := range done {
		if e.Kind == model.EmailKindFaxToEmail {
			return nil
		}
	}
	msg, err := s.composeEmail(ctx, f, args.To)
	if err != nil {
		return err
	}
	_, err = s.mailer.Enqueue(ctx, msg)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		return river.JobCancel(err) // e.g. addresses the mailer refuses: retrying will not help
	}
	return err
}

// composeEmail renders the tenant's templates and attaches the PDF when it
// fits the platform's limit (else the body carries the link only).
func (s *Service) composeEmail(ctx context.Context, f model.InboundFax, to []string) (outbound.Message, error) {
	fs, err := s.st.GetTenantFaxSettings(ctx, model.PlatformScope(), f.TenantID)
	if err != nil {
		return outbound.Message{}, err
	}
	t, err := s.st.GetTenant(ctx, model.PlatformScope(), f.TenantID)
	if err != nil {
		return outbound.Message{}, err
	}
	attach := f.PDFKey != ""
	if attach {
		if attach, err = s.mailer.AttachmentsFit(ctx, f.PDFBytes); err != nil {
			return outbound.Message{}, err
		}
	}
	data := s.emailData(f, fs, t.Name, attach)
	r := tenancy.RenderFaxEmail(fs, data)
	if r.TemplateErr != nil {
		s.log.Warn("fax-to-email template failed; default used", "tenant", f.TenantID, "fax", f.ID, "err", r.TemplateErr)
	}
	msg := outbound.Message{TenantID: f.TenantID, Kind: model.EmailKindFaxToEmail, RelatedType: "fax",
		RelatedID: f.ID, To: to, Subject: r.Subject, Text: r.Body}
	if attach {
		msg.Attachments = []outbound.Attachment{{Name: attachmentName(f), ContentType: "application/pdf", BlobKey: f.PDFKey}}
	}
	return msg, nil
}

func (s *Service) emailData(f model.InboundFax, fs model.TenantFaxSettings, tenantName string, attached bool) tenancy.FaxEmailData {
	loc, err := tz.Load(fs.TimeZone)
	if err != nil || fs.TimeZone == "" {
		loc = time.UTC
	}
	status := string(f.Status)
	if f.Partial {
		status = "partial"
	}
	link := ""
	if s.cfg.PortalURL != "" {
		link = strings.TrimRight(s.cfg.PortalURL, "/") + "/inbox/" + f.ID
	}
	return tenancy.FaxEmailData{FaxID: f.ID, From: f.CallerID, To: f.To, RemoteStationID: f.RemoteStationID,
		Pages: f.Pages, Status: status, Result: f.ResultText,
		ReceivedAt: f.CompletedAt.In(loc).Format("2006-01-02 15:04 MST"), Duration: f.Duration.Round(time.Second).String(),
		TenantName: tenantName, Link: link, Attached: attached}
}

// attachmentName is "fax-<from>-<yyyymmdd-hhmmss>.pdf", file-name safe.
func attachmentName(f model.InboundFax) string {
	from := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		return -1
	}, f.CallerID)
	if from == "" {
		from = "unknown"
	}
	return fmt.Sprintf("fax-%s-%s.pdf", from, f.CompletedAt.UTC().Format("20060102-150405"))
}
