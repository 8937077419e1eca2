package outbound

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"faxgate/internal/audit"
	"faxgate/internal/blob"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Message bounds.
const (
	MaxRecipients  = 50
	MaxAttachments = 20
	MaxSubjectLen  = 500     // runes
	MaxBodyBytes   = 1 << 20 // each of the text and HTML bodies
	maxNameLen     = 200     // attachment file names, runes
)

// ErrAttachmentsTooLarge is returned (wrapping model.ErrTooLarge) when a
// message's attachments exceed the platform's email attachment limit. Ask
// AttachmentsFit first and put a link in the body instead.
var ErrAttachmentsTooLarge = fmt.Errorf("%w: attachments exceed the email attachment limit", model.ErrTooLarge)

// Message is an email to queue.
type Message struct {
	TenantID    string // "" for platform mail
	Kind        string // model.EmailKind*
	RelatedType string // e.g. "fax": the object whose page shows this email's delivery
	RelatedID   string
	To          []string // bare addresses, 1..50
	ReplyTo     string
	Subject     string
	Text        string // the text/plain body
	HTML        string // optional text/html alternative
	// InReplyTo and References thread the message (notices answer the
	// email that submitted a fax): Message-IDs, with or without <>.
	InReplyTo   string
	References  []string
	Attachments []Attachment
}

// Attachment is one file to attach: either Reader (copied into the blob
// store when queued, removed once the email is sent or failed) or BlobKey
// (an existing blob, e.g. a received fax's PDF, read when sending and left
// alone).
type Attachment struct {
	Name        string
	ContentType string // "" = guessed from the name, else application/octet-stream
	Reader      io.Reader
	BlobKey     string
}

// Mailer queues emails and answers what happened to them.
type Mailer struct {
	st    *store.Store
	blobs blob.Store
	ins   jobs.Inserter
	au    *audit.Service
	cfg   Config
}

// NewMailer returns a Mailer; ins enqueues the email_send jobs that
// AddWorker's worker runs (cfg must be the same).
func NewMailer(st *store.Store, blobs blob.Store, ins jobs.Inserter, au *audit.Service, cfg Config) *Mailer {
	return &Mailer{st: st, blobs: blobs, ins: ins, au: au, cfg: cfg.withDefaults()}
}

// AttachmentsFit reports whether attachments of these sizes (bytes) fit
// in one email under the platform's attachment limit. Callers with a file
// that does not fit send a link to it instead.
func (m *Mailer) AttachmentsFit(ctx context.Context, sizes ...int64) (bool, error) {
	p, err := m.st.GetPlatformSettings(ctx, model.PlatformScope())
	if err != nil {
		return false, err
	}
	var total int64
	for _, s := range sizes {
		total += s
	}
	return total <= p.EmailAttachmentLimit, nil
}

// Enqueue validates msg, stores it (attachments given as readers go to
// the blob store) and queues its sending in the same transaction. The
// returned email is queued; its Message-ID is "<email id>@<domain>".
// Attachments over the platform limit fail with ErrAttachmentsTooLarge
// and nothing is queued.
func (m *Mailer) Enqueue(ctx context.Context, msg Message) (model.OutboundEmail, error) {
	e, err := toEmail(msg)
	if err != nil {
		return model.OutboundEmail{}, err
	}
	p, err := m.st.GetPlatformSettings(ctx, model.PlatformScope())
	if err != nil {
		return model.OutboundEmail{}, err
	}
	e.ID = model.NewID(model.PrefixOutboundEmail)
	e.MessageID = e.ID + "@" + m.messageIDDomain(p.SMTP)
	if err := m.storeAttachments(ctx, &e, msg.Attachments, p.EmailAttachmentLimit); err != nil {
		return model.OutboundEmail{}, err
	}
	err = m.st.RunTx(ctx, func(tx *sql.Tx) error {
		if err := m.st.InsertOutboundEmailTx(ctx, tx, &e); err != nil {
			return err
		}
		return m.ins.InsertTx(ctx, tx, SendArgs{EmailID: e.ID}, m.cfg.insertOpts())
	})
	if err != nil {
		m.dropOwned(ctx, e.Attachments)
		return model.OutboundEmail{}, err
	}
	return e, nil
}

// messageIDDomain is the right-hand side of our Message-IDs.
func (m *Mailer) messageIDDomain(r model.SMTPRelay) string {
	return messageIDDomain(m.cfg.MessageIDDomain, r)
}

func messageIDDomain(configured string, r model.SMTPRelay) string {
	if configured != "" {
		return configured
	}
	if _, d, ok := strings.Cut(r.FromAddress, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}

// storeAttachments fills e.Attachments: existing blobs are measured,
// readers are copied into owned blobs under mail/<email id>/<n>. The
// total must stay within limit.
func (m *Mailer) storeAttachments(ctx context.Context, e *model.OutboundEmail, in []Attachment, limit int64) error {
	var total int64
	for i, a := range in {
		// Recorded before writing, so that a failure drops this blob too.
		e.Attachments = append(e.Attachments, model.EmailAttachment{Position: i + 1, Filename: a.Name, ContentType: a.ContentType})
		att := &e.Attachments[len(e.Attachments)-1]
		var err error
		if a.BlobKey != "" {
			att.BlobKey = a.BlobKey
			att.SizeBytes, err = m.blobSize(ctx, a.BlobKey)
		} else {
			att.BlobKey, att.Owned = blob.Join("mail", e.ID, strconv.Itoa(i+1)), true
			att.SizeBytes, err = m.copyLimited(ctx, att.BlobKey, a.Reader, limit-total)
		}
		if err == nil && total+att.SizeBytes > limit {
			err = ErrAttachmentsTooLarge
		}
		if err != nil {
			m.dropOwned(ctx, e.Attachments)
			e.Attachments = nil
			return err
		}
		total += att.SizeBytes
	}
	return nil
}

func (m *Mailer) blobSize(ctx context.Context, key string) (int64, error) {
	info, err := m.blobs.Stat(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("attachment %s: %w", key, err)
	}
	return info.Size, nil
}

// copyLimited stores r under key, failing with ErrAttachmentsTooLarge as
// soon as it yields more than room bytes.
func (m *Mailer) copyLimited(ctx context.Context, key string, r io.Reader, room int64) (int64, error) {
	if r == nil {
		return 0, model.Invalid("attachments", "an attachment has neither content nor a blob key")
	}
	n, err := m.blobs.Put(ctx, key, io.LimitReader(r, max(room, 0)+1))
	if err != nil {
		return 0, fmt.Errorf("store attachment: %w", err)
	}
	if n > room {
		return n, ErrAttachmentsTooLarge
	}
	return n, nil
}

// dropOwned deletes the blobs written for an email.
func (m *Mailer) dropOwned(ctx context.Context, atts []model.EmailAttachment) {
	dropOwned(ctx, m.blobs, m.cfg.Logger, atts)
}

func dropOwned(ctx context.Context, blobs blob.Store, logger *slog.Logger, atts []model.EmailAttachment) {
	ctx = context.WithoutCancel(ctx)
	for _, a := range atts {
		if !a.Owned {
			continue
		}
		if err := blobs.Delete(ctx, a.BlobKey); err != nil {
			logger.Warn("email attachment not deleted", "key", a.BlobKey, "err", err)
		}
	}
}

// ForObject lists the emails about one object (e.g. "fax", id), newest
// first, within scope: what a fax's page shows as its email deliveries.
func (m *Mailer) ForObject(ctx context.Context, scope model.Scope, relatedType, relatedID string) ([]model.OutboundEmail, error) {
	items, _, err := m.st.ListOutboundEmails(ctx, scope,
		store.OutboundEmailFilter{RelatedType: relatedType, RelatedID: relatedID}, model.ListOptions{Limit: store.MaxLimit})
	return items, err
}

// SendTest sends a test email to one address through the saved relay
// settings, at once (no queue), and reports the relay's answer: the admin
// console's "send test email". Platform admins only; audited either way.
func (m *Mailer) SendTest(ctx context.Context, actor model.Actor, to string) error {
	if !actor.IsAdmin() {
		return fmt.Errorf("%w: only platform admins send test emails", model.ErrForbidden)
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(to))
	if err != nil || addr.Name != "" {
		return model.Invalid("to", "is not a valid email address")
	}
	p, err := m.st.GetPlatformSettings(ctx, model.PlatformScope())
	if err != nil {
		return err
	}
	relay, err := NewRelay(p.SMTP, m.cfg.RelayOptions)
	if err != nil {
		return model.Invalid("smtp_host", err.Error())
	}
	now := m.cfg.Now().UTC()
	e := model.OutboundEmail{
		MessageID: model.NewID(model.PrefixOutboundEmail) + "@" + m.messageIDDomain(p.SMTP),
		Kind:      model.EmailKindTest, To: []string{addr.Address},
		Subject: "faxgate test email",
		TextBody: fmt.Sprintf("This is a test email from faxgate, sent at %s through %s (%s) by %s.\n\n"+
			"If you can read it, fax-to-email and notices can reach you.\n",
			now.Format(time.RFC1123), p.SMTP.Addr(), p.SMTP.Security, actor.Email),
	}
	err = relay.Send(ctx, e, nil)
	detail := "to " + addr.Address + " via " + p.SMTP.Addr() + ": sent"
	if err != nil {
		detail = "to " + addr.Address + " via " + p.SMTP.Addr() + ": failed: " + err.Error()
	}
	if m.au != nil {
		m.au.Record(ctx, actor, model.ActionTestEmailSent, "platform_settings", "platform", detail, "")
	}
	return err
}

// toEmail validates msg and converts it (without id, Message-ID and
// attachments).
func toEmail(msg Message) (model.OutboundEmail, error) {
	v := &model.ValidationError{}
	e := model.OutboundEmail{TenantID: msg.TenantID, Kind: msg.Kind, RelatedType: msg.RelatedType,
		RelatedID: msg.RelatedID, TextBody: msg.Text, HTMLBody: msg.HTML}
	if e.Kind == "" {
		e.Kind = model.EmailKindNotice
	}
	e.To = checkRecipients(v, msg.To)
	if msg.ReplyTo != "" {
		e.ReplyTo = checkAddress(v, "reply_to", msg.ReplyTo)
	}
	e.Subject = strings.Join(strings.FieldsFunc(msg.Subject, unicode.IsSpace), " ")
	if utf8.RuneCountInString(e.Subject) > MaxSubjectLen || !utf8.ValidString(e.Subject) {
		v.Add("subject", fmt.Sprintf("must be valid text of at most %d characters", MaxSubjectLen))
	}
	if len(msg.Text) > MaxBodyBytes || len(msg.HTML) > MaxBodyBytes {
		v.Add("text", fmt.Sprintf("bodies must be at most %d bytes", MaxBodyBytes))
	}
	e.InReplyTo = checkMsgID(v, "in_reply_to", msg.InReplyTo)
	for _, r := range msg.References {
		if id := checkMsgID(v, "references", r); id != "" {
			e.References = append(e.References, id)
		}
	}
	checkAttachments(v, msg.Attachments)
	return e, v.OrNil()
}

func checkRecipients(v *model.ValidationError, to []string) []string {
	if len(to) == 0 || len(to) > MaxRecipients {
		v.Add("to", fmt.Sprintf("needs 1 to %d recipients", MaxRecipients))
		return nil
	}
	out := make([]string, 0, len(to))
	for _, a := range to {
		out = append(out, checkAddress(v, "to", a))
	}
	return out
}

func checkAddress(v *model.ValidationError, field, s string) string {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || len(s) > 254 {
		v.Add(field, fmt.Sprintf("%q is not a valid email address", s))
		return s
	}
	return s
}

// checkMsgID accepts a Message-ID with or without angle brackets and
// returns it without them.
func checkMsgID(v *model.ValidationError, field, s string) string {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<"), ">")
	if s == "" {
		return ""
	}
	left, right, ok := strings.Cut(s, "@")
	if !ok || left == "" || right == "" || len(s) > 250 || strings.ContainsAny(s, "<> \t\r\n\"\\") {
		v.Add(field, fmt.Sprintf("%q is not a Message-ID", s))
	}
	return s
}

func checkAttachments(v *model.ValidationError, atts []Attachment) {
	if len(atts) > MaxAttachments {
		v.Add("attachments", fmt.Sprintf("at most %d attachments", MaxAttachments))
	}
	for i := range atts {
		a := &atts[i]
		a.Name = cleanFilename(a.Name)
		a.ContentType = contentType(a.ContentType, a.Name)
		if a.Reader == nil && a.BlobKey == "" {
			v.Add("attachments", "an attachment has neither content nor a blob key")
		}
		if a.BlobKey != "" {
			if err := blob.ValidKey(a.BlobKey); err != nil {
				v.Add("attachments", err.Error())
			}
		}
	}
}

// cleanFilename keeps the last path element of a name, without control
// characters, bounded; "" becomes "attachment".
func cleanFilename(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name))
	name = strings.TrimSpace(name)
	if name == "." || name == "/" || name == "" || name == ".." {
		return "attachment"
	}
	if utf8.RuneCountInString(name) > maxNameLen {
		name = string([]rune(name)[:maxNameLen])
	}
	return name
}

// contentType checks a MIME type, else guesses it from the file name.
func contentType(ct, name string) string {
	if ct != "" {
		if mt, params, err := mime.ParseMediaType(ct); err == nil {
			return mime.FormatMediaType(mt, params)
		}
	}
	if g := mime.TypeByExtension(path.Ext(name)); g != "" {
		return g
	}
	return "application/octet-stream"
}

// insertOpts are the River options of email_send jobs.
func (c Config) insertOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: c.Queue, MaxAttempts: c.MaxAttempts}
}
