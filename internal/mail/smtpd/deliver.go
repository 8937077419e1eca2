package smtpd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-smtp"

	"faxgate/internal/documents"
	"faxgate/internal/mail/senders"
	"faxgate/internal/model"
)

// Bounds of what goes on a fax (faxout's limits).
const (
	maxTitleLen    = 200
	maxCommentsLen = 2000
)

// Data receives the message, turns it into a document and queues one fax
// per recipient. Nothing is left behind when the message is refused.
func (ss *session) Data(r io.Reader) error {
	ss.s.inflight.Add(1)
	defer ss.s.inflight.Add(-1)
	if ss.actor == nil || len(ss.rcpts) == 0 {
		_, _ = io.Copy(io.Discard, r)
		return ss.refuse(554, smtp.EnhancedCode{5, 5, 1}, "no valid recipients")
	}
	raw, err := io.ReadAll(r)
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code == smtp.ErrDataTooLarge.Code {
		return ss.refuse(552, smtp.EnhancedCode{5, 3, 4},
			fmt.Sprintf("message too large: at most %d bytes", ss.s.cfg.MaxMessageBytes))
	}
	if err != nil {
		return err
	}
	if ss.dmarcPending {
		if err := ss.verifyFrom(raw); err != nil {
			return err
		}
	}
	msg, err := Extract(bytes.NewReader(raw), ss.s.cfg.Extract)
	if err != nil {
		return ss.refuse(554, smtp.EnhancedCode{5, 6, 0}, "cannot read the message: "+err.Error())
	}
	files, cover := ss.content(msg)
	if len(files) == 0 {
		return ss.refuse(554, smtp.EnhancedCode{5, 6, 0},
			"nothing to fax: the message has no attachments and no text")
	}
	doc, err := ss.makeDocument(msg, files)
	if err != nil {
		return err
	}
	return ss.submitAll(msg, raw, doc, cover)
}

// content decides the files of the document and the cover page: the
// attachments (and the body on the cover when the tenant wants it), or the
// body itself when there is no attachment.
func (ss *session) content(msg Message) ([]documents.Upload, *model.CoverPage) {
	var files []documents.Upload
	for _, a := range msg.Attachments {
		files = append(files, documents.Upload{Filename: a.Filename, ContentType: a.ContentType,
			Size: int64(len(a.Data)), Body: bytes.NewReader(a.Data)})
	}
	if len(files) == 0 {
		if msg.Body == "" {
			return nil, nil
		}
		b := []byte(msg.Body + "\n")
		return []documents.Upload{{Filename: "message.txt", ContentType: "text/plain",
			Size: int64(len(b)), Body: bytes.NewReader(b)}}, nil
	}
	if !ss.fs.EmailBodyAsCover || msg.Body == "" {
		return files, nil
	}
	return files, &model.CoverPage{Enabled: true, Subject: clip(msg.Subject, maxTitleLen),
		Comments: clip(msg.Body, maxCommentsLen)}
}

// makeDocument creates the document and waits until it is converted.
func (ss *session) makeDocument(msg Message, files []documents.Upload) (model.Document, error) {
	ctx, cancel := context.WithTimeout(ss.ctx(), ss.s.cfg.ConvertWait)
	defer cancel()
	name := msg.Subject
	if name == "" {
		name = "Email from " + ss.from
	}
	d, err := ss.s.deps.Documents.Create(ctx, *ss.actor, documents.CreateInput{
		Name: clip(name, documents.MaxNameLen), Files: files})
	var ve *model.ValidationError
	var tl *documents.TooLargeError
	switch {
	case errors.As(err, &ve):
		return d, ss.refuse(554, smtp.EnhancedCode{5, 6, 1}, "cannot fax the attachments: "+ve.Error())
	case errors.As(err, &tl):
		return d, ss.refuse(552, smtp.EnhancedCode{5, 3, 4}, "cannot fax the attachments: "+tl.Error())
	case err != nil:
		return d, ss.tempFail("create document", err)
	}
	d, err = ss.awaitDocument(ctx, d.ID)
	switch {
	case err != nil:
		ss.dropDocument(d.ID)
		if errors.Is(err, context.DeadlineExceeded) {
			return d, ss.refuse(451, smtp.EnhancedCode{4, 3, 0}, "the attachments take too long to convert, try again later")
		}
		return d, ss.tempFail("convert document", err)
	case d.Status != model.DocumentReady:
		ss.dropDocument(d.ID)
		return d, ss.refuse(554, smtp.EnhancedCode{5, 6, 1}, "cannot fax the attachments: "+d.Error)
	}
	return d, nil
}

// awaitDocument polls until the conversion is over: every 10 ms at first
// (a one-page PDF takes tens of milliseconds, and the client waits for
// the reply), backing off to 200 ms for long office files.
func (ss *session) awaitDocument(ctx context.Context, id string) (model.Document, error) {
	wait := 10 * time.Millisecond
	for {
		d, err := ss.s.deps.Documents.Get(ctx, *ss.actor, id)
		if err != nil || d.Status != model.DocumentProcessing {
			return d, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return d, ctx.Err()
		case <-t.C:
		}
		wait = min(wait*3/2, 200*time.Millisecond)
	}
}

// dropDocument deletes a document of a refused message.
func (ss *session) dropDocument(id string) {
	if id == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ss.s.deps.Documents.Delete(ctx, *ss.actor, id); err != nil && !errors.Is(err, model.ErrNotFound) {
		ss.s.log.Warn("smtp: delete document of refused message", "document", id, "err", err)
	}
}

// submitAll queues one fax per recipient. When none could be queued the
// document is deleted and the message refused with the first reason.
func (ss *session) submitAll(msg Message, raw []byte, doc model.Document, cover *model.CoverPage) error {
	sum := sha256.Sum256(raw)
	var ids, failed []string
	var queued []AcceptedFax
	var firstErr error
	for _, r := range ss.rcpts {
		req := FaxRequest{To: r.E164, DocumentID: doc.ID, Title: clip(msg.Subject, maxTitleLen),
			CallerID: ss.fs.DefaultCallerID, CoverPage: cover,
			IdempotencyKey: "email-" + hex.EncodeToString(sum[:12]) + "-" + strings.TrimPrefix(r.E164, "+")}
		if ss.fs.DefaultRetries >= 0 {
			n := ss.fs.DefaultRetries
			req.Retries = &n
		}
		id, err := ss.s.deps.Submitter.SubmitEmailFax(ss.ctx(), *ss.actor, req)
		if err != nil {
			firstErr = cmpOr(firstErr, err)
			failed = append(failed, fmt.Sprintf("%s: %s", r.E164, err))
			continue
		}
		ids = append(ids, id)
		queued = append(queued, AcceptedFax{ID: id, To: r.E164})
	}
	if len(ids) == 0 {
		ss.dropDocument(doc.ID)
		return ss.submitError(firstErr)
	}
	detail := fmt.Sprintf("from %s (%s), %d attachment(s), document %s (%d pages), faxes %s",
		ss.from, ss.via, len(msg.Attachments), doc.ID, doc.Pages, strings.Join(ids, ", "))
	if len(failed) > 0 {
		detail += "; not sent: " + strings.Join(failed, "; ")
	}
	ss.s.deps.Audit.Record(ss.ctx(), *ss.actor, ActionAccepted, "document", doc.ID, trimDetail(detail), ss.actor.TenantID)
	ss.notifyAccepted(Acceptance{TenantID: ss.actor.TenantID, To: ss.notifyTo, MessageID: messageID(raw),
		Subject: msg.Subject, Faxes: queued, NotSent: failed})
	if len(failed) > 0 {
		return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0},
			Message: clip(fmt.Sprintf("queued %d of %d faxes; not sent: %s", len(ids), len(ss.rcpts), strings.Join(failed, "; ")), 400)}
	}
	return nil
}

// submitError maps a submission error to an SMTP reply.
func (ss *session) submitError(err error) error {
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		return ss.refuse(554, smtp.EnhancedCode{5, 7, 1}, "cannot send the fax: "+ve.Error())
	case errors.Is(err, model.ErrLimitExceeded):
		return ss.refuse(552, smtp.EnhancedCode{5, 2, 2}, err.Error())
	case errors.Is(err, model.ErrSuspended), errors.Is(err, model.ErrForbidden):
		return ss.refuse(550, smtp.EnhancedCode{5, 7, 1}, "not allowed to send faxes: "+err.Error())
	}
	return ss.tempFail("submit fax", err)
}

// notifyAccepted records where each fax's notices go and sends the
// acceptance notice. A failure here does not undo the faxes: it is logged.
func (ss *session) notifyAccepted(n Acceptance) {
	d := ss.s.deps
	if d.Senders != nil {
		for _, f := range n.Faxes {
			o := senders.Origin{FaxID: f.ID, TenantID: n.TenantID, NotifyTo: n.To, MessageID: n.MessageID,
				Subject: clip(n.Subject, maxTitleLen)}
			if err := d.Senders.RecordOrigin(ss.ctx(), o); err != nil {
				ss.s.log.Error("smtp: record fax origin", "fax", f.ID, "err", err)
			}
		}
	}
	if d.Notices != nil && n.To != "" {
		d.Notices.Accepted(ss.ctx(), n)
	}
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
