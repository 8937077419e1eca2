package outbound

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wneessen/go-mail/smtp"

	"faxgate/internal/model"
)

func relayTo(ts *testServer, sec model.SMTPSecurity) model.SMTPRelay {
	return model.SMTPRelay{Host: ts.Host, Port: ts.Port, Security: sec, FromName: "Faxgate Notices",
		FromAddress: "fax@faxgate.example", EnvelopeFrom: "bounces@faxgate.example", HELOName: "node1.faxgate.example"}
}

func simpleEmail(to ...string) model.OutboundEmail {
	return model.OutboundEmail{MessageID: "eml_test@faxgate.example", To: to, Subject: "Hello", TextBody: "Hi there.\n"}
}

func send(t *testing.T, r model.SMTPRelay, opts RelayOptions, e model.OutboundEmail, open AttachmentOpener) error {
	t.Helper()
	relay, err := NewRelay(r, opts)
	if err != nil {
		t.Fatalf("NewRelay: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	return relay.Send(ctx, e, open)
}

// TestRelayMessage sends a full message in clear to a loopback relay and
// reads it back: envelope, headers, both bodies, attachment bytes.
func TestRelayMessage(t *testing.T) {
	ts := startServer(t, serverOpts{})
	pdf := make([]byte, 300_000)
	if _, err := rand.Read(pdf); err != nil {
		t.Fatal(err)
	}
	blobs := map[string][]byte{"fax.pdf": pdf, "note.txt": []byte("plain note\r\nline 2\r\n")}
	e := model.OutboundEmail{
		MessageID: "eml_abc@faxgate.example", To: []string{"ann@example.com", "bob@example.org"},
		ReplyTo: "support@faxgate.example", Subject: "Fax from +1 202 555 0123 — 3 pages ✓",
		TextBody: "You received a fax.\nPages: 3\n", HTMLBody: "<p>You received a <b>fax</b>.</p>",
		InReplyTo: "orig-1@client.example", References: []string{"root@client.example", "orig-1@client.example"},
		Attachments: []model.EmailAttachment{
			{Position: 1, Filename: "fax 2026-03-02.pdf", ContentType: "application/pdf", BlobKey: "fax.pdf"},
			{Position: 2, Filename: "note.txt", ContentType: "text/plain; charset=utf-8", BlobKey: "note.txt"},
		},
	}
	opened := 0
	open := func(_ context.Context, a model.EmailAttachment) (io.ReadCloser, error) {
		opened++
		return io.NopCloser(bytes.NewReader(blobs[a.BlobKey])), nil // not seekable: exercises the buffered path
	}
	date := time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC)
	if err := send(t, relayTo(ts, model.SMTPNone), RelayOptions{Now: func() time.Time { return date }}, e, open); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := ts.messages()
	if len(msgs) != 1 || opened != 2 {
		t.Fatalf("%d messages received, %d attachments opened", len(msgs), opened)
	}
	m := msgs[0]
	if m.From != "bounces@faxgate.example" || !slices.Equal(m.To, e.To) || m.TLS || m.User != "" {
		t.Fatalf("envelope %q -> %v (tls %v, user %q)", m.From, m.To, m.TLS, m.User)
	}
	p := parseMail(t, m.Data)
	h := p.Header
	wantHeader := func(name, want string) {
		t.Helper()
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	wantHeader("Message-Id", "<eml_abc@faxgate.example>")
	wantHeader("Auto-Submitted", "auto-generated")
	wantHeader("X-Auto-Response-Suppress", "All")
	wantHeader("In-Reply-To", "<orig-1@client.example>")
	wantHeader("References", "<root@client.example> <orig-1@client.example>")
	wantHeader("From", `"Faxgate Notices" <fax@faxgate.example>`)
	wantHeader("Reply-To", "<support@faxgate.example>")
	if subj, err := h.Subject(); err != nil || subj != e.Subject {
		t.Errorf("Subject = %q, %v; want %q", subj, err, e.Subject)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 2 || to[0].Address != "ann@example.com" || to[1].Address != "bob@example.org" {
		t.Errorf("To = %v, %v", to, err)
	}
	if d, err := h.Date(); err != nil || !d.Equal(date) {
		t.Errorf("Date = %v, %v; want %v", d, err, date)
	}
	if p.Text != e.TextBody && strings.ReplaceAll(p.Text, "\r\n", "\n") != e.TextBody {
		t.Errorf("text body %q", p.Text)
	}
	if p.HTML != e.HTMLBody {
		t.Errorf("html body %q", p.HTML)
	}
	if len(p.Attachments) != 2 {
		t.Fatalf("%d attachments", len(p.Attachments))
	}
	if a := p.Attachments[0]; a.Name != "fax 2026-03-02.pdf" || a.ContentType != "application/pdf" || !bytes.Equal(a.Data, pdf) {
		t.Errorf("pdf attachment %q %q, %d bytes (equal: %v)", a.Name, a.ContentType, len(a.Data), bytes.Equal(a.Data, pdf))
	}
	if a := p.Attachments[1]; a.Name != "note.txt" || a.ContentType != "text/plain" || !bytes.Equal(a.Data, blobs["note.txt"]) {
		t.Errorf("text attachment %q %q %q", a.Name, a.ContentType, a.Data)
	}
}

func TestRelaySTARTTLS(t *testing.T) {
	cert := newTestCert(t)
	ts := startServer(t, serverOpts{TLS: cert.Server})
	err := send(t, relayTo(ts, model.SMTPStartTLS), RelayOptions{RootCAs: cert.Pool}, simpleEmail("ann@example.com"), nil)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if msgs := ts.messages(); len(msgs) != 1 || !msgs[0].TLS {
		t.Fatalf("messages %+v: want one, over TLS", msgs)
	}
	// A certificate we do not trust fails: no message, no plain-text retry.
	err = send(t, relayTo(ts, model.SMTPStartTLS), RelayOptions{}, simpleEmail("ann@example.com"), nil)
	if err == nil || !strings.Contains(err.Error(), "certificate") || IsPermanent(err) {
		t.Fatalf("untrusted certificate: error %v (permanent %v)", err, IsPermanent(err))
	}
	if n := len(ts.messages()); n != 1 {
		t.Fatalf("%d messages after the untrusted attempt, want still 1", n)
	}
}

// TestRelaySTARTTLSRequired: a relay that does not offer STARTTLS gets no
// message at all (no silent downgrade to plain text).
func TestRelaySTARTTLSRequired(t *testing.T) {
	cert := newTestCert(t)
	ts := startServer(t, serverOpts{})
	err := send(t, relayTo(ts, model.SMTPStartTLS), RelayOptions{RootCAs: cert.Pool}, simpleEmail("ann@example.com"), nil)
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || IsPermanent(err) {
		t.Fatalf("error %v (permanent %v), want a retryable STARTTLS error", err, IsPermanent(err))
	}
	if ts.mailCommands() != 0 || len(ts.messages()) != 0 {
		t.Fatalf("the relay saw %d MAIL commands and %d messages in clear", ts.mailCommands(), len(ts.messages()))
	}
}

func TestRelayImplicitTLS(t *testing.T) {
	cert := newTestCert(t)
	ts := startServer(t, serverOpts{TLS: cert.Server, Implicit: true})
	err := send(t, relayTo(ts, model.SMTPTLS), RelayOptions{RootCAs: cert.Pool}, simpleEmail("ann@example.com"), nil)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if msgs := ts.messages(); len(msgs) != 1 || !msgs[0].TLS {
		t.Fatalf("messages %+v: want one over TLS", msgs)
	}
	// Speaking plain SMTP to an implicit-TLS port fails, without a message.
	err = send(t, relayTo(ts, model.SMTPNone), RelayOptions{Timeout: 2 * time.Second}, simpleEmail("ann@example.com"), nil)
	if err == nil {
		t.Fatal("plain SMTP to an implicit TLS port succeeded")
	}
	if n := len(ts.messages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

func TestRelayAuth(t *testing.T) {
	cert := newTestCert(t)
	tests := []struct {
		name     string
		mechs    []string
		implicit bool
		user     string
		pass     string
		ok       bool
		attempts []string // AUTH exchanges the server saw
	}{
		{"plain over starttls", []string{"PLAIN", "LOGIN"}, false, "relayuser", "relay pass", true, []string{"relayuser:ok"}},
		{"login only", []string{"LOGIN"}, false, "relayuser", "relay pass", true, []string{"relayuser:ok"}},
		{"plain over implicit tls", []string{"PLAIN"}, true, "relayuser", "relay pass", true, []string{"relayuser:ok"}},
		{"wrong password", []string{"PLAIN"}, false, "relayuser", "wrong", false, []string{"relayuser:fail"}},
		{"unknown user", []string{"LOGIN"}, false, "nobody", "relay pass", false, []string{"nobody:fail"}},
		{"no usable mechanism", []string{"CRAM-MD5"}, false, "relayuser", "relay pass", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, serverOpts{TLS: cert.Server, Implicit: tc.implicit, Mechs: tc.mechs,
				Users: map[string]string{"relayuser": "relay pass"}})
			sec := model.SMTPStartTLS
			if tc.implicit {
				sec = model.SMTPTLS
			}
			r := relayTo(ts, sec)
			r.Username, r.Password = tc.user, tc.pass
			err := send(t, r, RelayOptions{RootCAs: cert.Pool}, simpleEmail("ann@example.com"), nil)
			msgs := ts.messages()
			if got := ts.authAttempts(); !slices.Equal(got, tc.attempts) {
				t.Errorf("AUTH exchanges %v, want %v", got, tc.attempts)
			}
			if tc.ok {
				if err != nil || len(msgs) != 1 || msgs[0].User != "relayuser" || !msgs[0].TLS {
					t.Fatalf("error %v, messages %+v", err, msgs)
				}
				return
			}
			if err == nil || len(msgs) != 0 {
				t.Fatalf("error %v with %d messages, want a failure and none", err, len(msgs))
			}
			if IsPermanent(err) {
				t.Fatalf("AUTH failure %v is permanent; an admin can fix it, so it must be retried", err)
			}
		})
	}
}

// TestAuthNeverInClear: credentials are refused to a connection without
// TLS, even one to localhost (go-mail's own PLAIN would allow that), and a
// relay configured with a user but no TLS is refused outright.
func TestAuthNeverInClear(t *testing.T) {
	a := &tlsOnlyAuth{user: "u", pass: "p"}
	if _, _, err := a.Start(&smtp.ServerInfo{Name: "localhost", TLS: false, Auth: []string{"PLAIN"}}); !errors.Is(err, errAuthNeedsTLS) {
		t.Fatalf("Start without TLS: %v", err)
	}
	proto, resp, err := a.Start(&smtp.ServerInfo{Name: "relay.example", TLS: true, Auth: []string{"LOGIN", "PLAIN"}})
	if err != nil || proto != "PLAIN" || string(resp) != "\x00u\x00p" {
		t.Fatalf("Start over TLS = %q %q %v", proto, resp, err)
	}
	_, err = NewRelay(model.SMTPRelay{Host: "127.0.0.1", Port: 25, Security: model.SMTPNone, Username: "u",
		Password: "p", FromAddress: "a@b.example"}, RelayOptions{})
	if err == nil {
		t.Fatal("NewRelay accepted AUTH without TLS")
	}
}

func TestRelayRejectedRecipient(t *testing.T) {
	ts := startServer(t, serverOpts{RejectRcpt: "gone@example.com"})
	err := send(t, relayTo(ts, model.SMTPNone), RelayOptions{}, simpleEmail("ann@example.com", "gone@example.com"), nil)
	var se *SendError
	if !errors.As(err, &se) || !se.Permanent || se.Code != 550 || !strings.Contains(err.Error(), "gone@example.com") {
		t.Fatalf("error %#v, want a permanent 550 naming the recipient", err)
	}
	if n := len(ts.messages()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

func TestRelayDown(t *testing.T) {
	r := model.SMTPRelay{Host: "127.0.0.1", Port: freePort(t), Security: model.SMTPNone, FromAddress: "fax@faxgate.example"}
	err := send(t, r, RelayOptions{Timeout: 2 * time.Second}, simpleEmail("ann@example.com"), nil)
	if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("error %v: want a retryable connection error", err)
	}
}

func TestNewRelayChecks(t *testing.T) {
	ok := model.SMTPRelay{Host: "smtp.example.com", Port: 587, Security: model.SMTPStartTLS, FromAddress: "a@b.example"}
	tests := []struct {
		name string
		mod  func(*model.SMTPRelay)
		want string
	}{
		{"not configured", func(r *model.SMTPRelay) { r.Host = "" }, "no SMTP relay is configured"},
		{"bad security", func(r *model.SMTPRelay) { r.Security = "ssl" }, "unknown security"},
		{"bad port", func(r *model.SMTPRelay) { r.Port = 0 }, "bad port"},
		{"no from", func(r *model.SMTPRelay) { r.FromAddress = "" }, "From address"},
	}
	if _, err := NewRelay(ok, RelayOptions{}); err != nil {
		t.Fatalf("valid relay refused: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			tc.mod(&r)
			if _, err := NewRelay(r, RelayOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := NewRelay(model.SMTPRelay{}, RelayOptions{}); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("unconfigured relay: %v", err)
	}
}
