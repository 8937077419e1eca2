package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"faxgate/internal/model"
)

// ErrNotConfigured is returned when no SMTP relay host is set.
var ErrNotConfigured = errors.New("no SMTP relay is configured (admin console: SMTP relay settings)")

// DefaultTimeout bounds one SMTP session: the connection and every command
// on it, when RelayOptions.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// RelayOptions are the parts of the relay configuration that do not live
// in the platform settings.
type RelayOptions struct {
	// RootCAs verifies the relay's certificate; nil means the system's
	// roots. Set it for relays with a private CA (and in tests).
	RootCAs *x509.CertPool
	// Timeout bounds the session (default DefaultTimeout).
	Timeout time.Duration
	// Now stamps the Date header (default time.Now).
	Now func() time.Time
}

// Relay sends emails through the platform's SMTP relay. It never falls
// back to less security than configured: "starttls" fails when the relay
// does not offer STARTTLS, and credentials are only ever sent (AUTH PLAIN
// or LOGIN) over a verified TLS connection.
type Relay struct {
	cfg  model.SMTPRelay
	opts RelayOptions
}

// NewRelay checks the relay settings and returns a Relay for them.
func NewRelay(cfg model.SMTPRelay, opts RelayOptions) (*Relay, error) {
	switch {
	case !cfg.Configured():
		return nil, ErrNotConfigured
	case !cfg.Security.Valid():
		return nil, fmt.Errorf("SMTP relay: unknown security %q", cfg.Security)
	case cfg.Port < 1 || cfg.Port > 65535:
		return nil, fmt.Errorf("SMTP relay: bad port %d", cfg.Port)
	case cfg.Username != "" && cfg.Security == model.SMTPNone:
		return nil, errors.New("SMTP relay: AUTH needs starttls or tls security")
	case cfg.FromAddress == "":
		return nil, errors.New("SMTP relay: no From address configured")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Relay{cfg: cfg, opts: opts}, nil
}

// AttachmentOpener opens the content of one attachment of an email.
type AttachmentOpener func(ctx context.Context, a model.EmailAttachment) (io.ReadCloser, error)

// Send delivers e (To, Subject, bodies, threading headers, attachments
// opened with open) in one SMTP session. The Message-ID is e.MessageID.
// Errors are *SendError.
func (r *Relay) Send(ctx context.Context, e model.OutboundEmail, open AttachmentOpener) error {
	msg, closeAll, err := r.build(ctx, e, open)
	defer closeAll()
	if err != nil {
		return &SendError{Err: err, Permanent: true}
	}
	client, err := r.client()
	if err != nil {
		return &SendError{Err: err, Permanent: true}
	}
	err = client.DialAndSendWithContext(ctx, msg)
	if msg.IsDelivered() {
		// The relay took the message; a failure after that (RSET, QUIT)
		// must not make us send it again.
		return nil
	}
	if err != nil {
		return classify(err)
	}
	return nil
}

// client configures go-mail for the relay settings.
func (r *Relay) client() (*gomail.Client, error) {
	tlsConf := &tls.Config{ServerName: r.cfg.Host, RootCAs: r.opts.RootCAs, MinVersion: tls.VersionTLS12}
	opts := []gomail.Option{
		gomail.WithPort(r.cfg.Port),
		gomail.WithTimeout(r.opts.Timeout),
		gomail.WithTLSConfig(tlsConf),
	}
	switch r.cfg.Security {
	case model.SMTPTLS:
		opts = append(opts, gomail.WithSSL())
	case model.SMTPStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if r.cfg.HELOName != "" {
		opts = append(opts, gomail.WithHELO(r.cfg.HELOName))
	}
	if r.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuthCustom(&tlsOnlyAuth{user: r.cfg.Username, pass: r.cfg.Password}))
	}
	return gomail.NewClient(r.cfg.Host, opts...)
}

// build turns e into a go-mail message; closeAll closes the opened
// attachments (call it even on error).
func (r *Relay) build(ctx context.Context, e model.OutboundEmail, open AttachmentOpener) (*gomail.Msg, func(), error) {
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			_ = c.Close()
		}
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := r.headers(msg, e); err != nil {
		return nil, closeAll, err
	}
	msg.SetBodyString(gomail.TypeTextPlain, e.TextBody)
	if e.HTMLBody != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, e.HTMLBody)
	}
	for _, a := range e.Attachments {
		if open == nil {
			return nil, closeAll, fmt.Errorf("attachment %q: no attachment source", a.Filename)
		}
		rc, err := open(ctx, a)
		if err != nil {
			return nil, closeAll, fmt.Errorf("attachment %q: %w", a.Filename, err)
		}
		closers = append(closers, rc)
		if err := attach(msg, a, rc); err != nil {
			return nil, closeAll, err
		}
	}
	return msg, closeAll, nil
}

// headers sets the envelope and header fields of msg.
func (r *Relay) headers(msg *gomail.Msg, e model.OutboundEmail) error {
	if err := msg.EnvelopeFrom(r.cfg.Sender()); err != nil {
		return fmt.Errorf("envelope sender: %w", err)
	}
	if err := msg.FromFormat(r.cfg.FromName, r.cfg.FromAddress); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.To(e.To...); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	if e.ReplyTo != "" {
		if err := msg.ReplyTo(e.ReplyTo); err != nil {
			return fmt.Errorf("reply-to: %w", err)
		}
	}
	msg.Subject(e.Subject)
	msg.SetMessageIDWithValue(e.MessageID)
	msg.SetDateWithValue(r.opts.Now())
	msg.SetUserAgent("faxgate")
	// RFC 3834: machine-generated, so that auto-responders stay quiet and
	// no mail loop starts; the Microsoft header says the same to Exchange.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	if e.InReplyTo != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, "<"+e.InReplyTo+">")
	}
	if len(e.References) > 0 {
		refs := make([]string, len(e.References))
		for i, id := range e.References {
			refs[i] = "<" + id + ">"
		}
		msg.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	return nil
}

// attach adds one attachment, streaming it when its reader can seek.
func attach(msg *gomail.Msg, a model.EmailAttachment, rc io.Reader) error {
	opt := gomail.WithFileContentType(gomail.ContentType(a.ContentType))
	if rs, ok := rc.(io.ReadSeeker); ok {
		msg.AttachReadSeeker(a.Filename, rs, opt)
		return nil
	}
	if err := msg.AttachReader(a.Filename, rc, opt); err != nil {
		return fmt.Errorf("attachment %q: %w", a.Filename, err)
	}
	return nil
}

// SendError is why a message did not go out. Permanent errors (the relay
// refused the message or a recipient with a 5xx reply, or the message
// cannot be built) are not worth retrying; everything else (connection
// refused, timeouts, 4xx replies, TLS or AUTH trouble an admin can fix)
// is.
type SendError struct {
	Err       error
	Permanent bool
	Code      int // SMTP reply code when the relay gave one
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// classify wraps a go-mail error in a *SendError.
func classify(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		return &SendError{Err: err, Code: code, Permanent: code >= 500 && code <= 599}
	}
	return &SendError{Err: err}
}

// IsPermanent reports whether err is a *SendError not worth retrying.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// tlsOnlyAuth is SMTP AUTH PLAIN (or LOGIN when the relay offers only
// that) that refuses to run on a connection without TLS, even to
// localhost.
type tlsOnlyAuth struct {
	user, pass string
	mech       smtp.Auth
}

var errAuthNeedsTLS = errors.New("SMTP AUTH refused: the connection is not encrypted")

func (a *tlsOnlyAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errAuthNeedsTLS
	}
	switch {
	case slices.Contains(server.Auth, "PLAIN"):
		a.mech = smtp.PlainAuth("", a.user, a.pass, server.Name, false)
	case slices.Contains(server.Auth, "LOGIN"):
		a.mech = smtp.LoginAuth(a.user, a.pass, server.Name, false)
	default:
		return "", nil, fmt.Errorf("SMTP AUTH: the relay offers neither PLAIN nor LOGIN (it offers %q)",
			strings.Join(server.Auth, " "))
	}
	return a.mech.Start(server)
}

func (a *tlsOnlyAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.mech.Next(fromServer, more)
}
