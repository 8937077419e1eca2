package outbound

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/audit"
	"faxgate/internal/blob"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// env is a store with the email_send worker running on River.
type env struct {
	st       *store.Store
	blobs    *blob.FS
	blobDir  string
	mailer   *Mailer
	au       *audit.Service
	tenant   model.Tenant
	admin    model.Actor
	tenantAd model.Actor
}

// testConfig retries fast: 150 ms between tries.
func testConfig() Config {
	return Config{Backoff: []time.Duration{150 * time.Millisecond}, MaxAttempts: 25,
		RelayOptions: RelayOptions{Timeout: 5 * time.Second}}
}

func newEnv(t *testing.T, st *store.Store, cfg Config) *env {
	t.Helper()
	dir := t.TempDir()
	fs, err := blob.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	AddWorker(workers, st, fs, cfg)
	j, err := jobs.New(st, nil, workers, nil, jobs.WithFetchPollInterval(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = j.Stop(ctx)
	})
	au := audit.NewService(st, nil, nil)
	tn := model.Tenant{Name: "Mail Tenant", Status: model.TenantActive, RetentionDays: 30}
	if err := st.CreateTenant(t.Context(), &tn); err != nil {
		t.Fatal(err)
	}
	return &env{st: st, blobs: fs, blobDir: dir, mailer: NewMailer(st, fs, j, au, cfg), au: au, tenant: tn,
		admin:    model.Actor{UserID: "usr_admin", Role: model.RoleAdmin, Email: "admin@example.com", Via: "session"},
		tenantAd: model.Actor{UserID: "usr_boss", TenantID: tn.ID, Role: model.RoleTenant, Email: "boss@example.com", Via: "session"}}
}

func (e *env) setRelay(t *testing.T, r model.SMTPRelay, limit int64) {
	t.Helper()
	p, err := e.st.GetPlatformSettings(t.Context(), model.PlatformScope())
	if err != nil {
		t.Fatal(err)
	}
	p.SMTP = r
	if limit > 0 {
		p.EmailAttachmentLimit = limit
	}
	if err := e.st.PutPlatformSettings(t.Context(), model.PlatformScope(), &p); err != nil {
		t.Fatal(err)
	}
}

func (e *env) email(t *testing.T, id string) model.OutboundEmail {
	t.Helper()
	got, err := e.st.GetOutboundEmail(t.Context(), model.PlatformScope(), id)
	if err != nil {
		t.Fatalf("GetOutboundEmail: %v", err)
	}
	return got
}

func (e *env) waitStatus(t *testing.T, id string, status model.EmailStatus) model.OutboundEmail {
	t.Helper()
	var got model.OutboundEmail
	waitFor(t, "email "+id+" to be "+string(status), 30*time.Second, func() bool {
		got = e.email(t, id)
		return got.Status == status
	})
	return got
}

// blobFiles lists the files in the blob folder (temp files excluded).
func (e *env) blobFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(e.blobDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".tmp-") {
			rel, _ := filepath.Rel(e.blobDir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func forEachEngine(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open(t)) })
	}
}

func TestEnqueueAndSend(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, testConfig())
		ts := startServer(t, serverOpts{})
		e.setRelay(t, relayTo(ts, model.SMTPNone), 0)
		faxPDF := bytes.Repeat([]byte("%PDF-1.4 fax page "), 5000)
		if _, err := e.blobs.Put(t.Context(), "t/x/fax/1/fax.pdf", bytes.NewReader(faxPDF)); err != nil {
			t.Fatal(err)
		}
		fit, err := e.mailer.AttachmentsFit(t.Context(), int64(len(faxPDF)), 10)
		if err != nil || !fit {
			t.Fatalf("AttachmentsFit = %v, %v", fit, err)
		}
		em, err := e.mailer.Enqueue(t.Context(), Message{
			TenantID: e.tenant.ID, Kind: model.EmailKindFaxToEmail, RelatedType: "fax", RelatedID: "fax_1",
			To: []string{"ann@example.com"}, Subject: "Fax from +12025550123\r\n(2 pages)", Text: "See the attached fax.\n",
			InReplyTo: "<orig@client.example>",
			Attachments: []Attachment{
				{Name: "fax.pdf", ContentType: "application/pdf", BlobKey: "t/x/fax/1/fax.pdf"},
				{Name: `C:\Users\ann\notes.txt`, Reader: strings.NewReader("hello notes")},
			},
		})
		if err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		if em.Status != model.EmailQueued || em.MessageID != em.ID+"@faxgate.example" || em.Subject != "Fax from +12025550123 (2 pages)" ||
			em.InReplyTo != "orig@client.example" || len(em.Attachments) != 2 || em.Attachments[1].Filename != "notes.txt" ||
			em.Attachments[1].ContentType != "text/plain; charset=utf-8" || !em.Attachments[1].Owned || em.Attachments[0].Owned {
			t.Fatalf("queued email %+v", em)
		}
		got := e.waitStatus(t, em.ID, model.EmailSent)
		if got.Attempts != 1 || got.LastError != "" || got.SentAt.IsZero() {
			t.Fatalf("sent email %+v", got)
		}
		msgs := ts.messages()
		if len(msgs) != 1 {
			t.Fatalf("%d messages", len(msgs))
		}
		p := parseMail(t, msgs[0].Data)
		if id, _ := p.Header.MessageID(); id != em.MessageID {
			t.Errorf("Message-ID %q, want %q", id, em.MessageID)
		}
		if len(p.Attachments) != 2 || !bytes.Equal(p.Attachments[0].Data, faxPDF) || string(p.Attachments[1].Data) != "hello notes" ||
			p.Attachments[1].Name != "notes.txt" {
			t.Fatalf("attachments %+v", p.Attachments)
		}
		// The email's own blob is gone, the fax's PDF stays.
		waitFor(t, "owned attachment removed", 5*time.Second, func() bool {
			return slices.Equal(e.blobFiles(t), []string{"t/x/fax/1/fax.pdf"})
		})
		// The fax shows its email delivery; another tenant does not see it.
		list, err := e.mailer.ForObject(t.Context(), model.TenantScope(e.tenant.ID), "fax", "fax_1")
		if err != nil || len(list) != 1 || list[0].ID != em.ID || list[0].Status != model.EmailSent {
			t.Fatalf("ForObject = %+v, %v", list, err)
		}
		list, err = e.mailer.ForObject(t.Context(), model.TenantScope("ten_other"), "fax", "fax_1")
		if err != nil || len(list) != 0 {
			t.Fatalf("another tenant sees %+v, %v", list, err)
		}
	})
}

// TestRelayDownThenUp: the relay is down when the email is queued; tries
// fail and are recorded; once it is up, the email goes out exactly once.
func TestRelayDownThenUp(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, testConfig())
		port := freePort(t)
		e.setRelay(t, model.SMTPRelay{Host: "127.0.0.1", Port: port, Security: model.SMTPNone, FromAddress: "fax@faxgate.example"}, 0)
		em, err := e.mailer.Enqueue(t.Context(), Message{TenantID: e.tenant.ID, To: []string{"ann@example.com"},
			Subject: "Retry me", Text: "body", Attachments: []Attachment{{Name: "a.bin", Reader: bytes.NewReader([]byte{1, 2, 3})}}})
		if err != nil {
			t.Fatal(err)
		}
		var failed model.OutboundEmail
		waitFor(t, "a failed try recorded", 30*time.Second, func() bool {
			failed = e.email(t, em.ID)
			return failed.LastError != ""
		})
		if failed.Status != model.EmailQueued || failed.Attempts < 1 || !strings.Contains(failed.LastError, "refused") {
			t.Fatalf("while the relay is down: %+v", failed)
		}
		ts := startServer(t, serverOpts{Addr: "127.0.0.1:" + strconv.Itoa(port)})
		sent := e.waitStatus(t, em.ID, model.EmailSent)
		if sent.Attempts < 2 || sent.LastError != "" {
			t.Fatalf("sent email %+v: want at least one failed try before it", sent)
		}
		time.Sleep(500 * time.Millisecond) // a duplicate would arrive within a few retry periods
		msgs := ts.messages()
		if len(msgs) != 1 {
			t.Fatalf("%d messages received, want exactly 1", len(msgs))
		}
		if p := parseMail(t, msgs[0].Data); len(p.Attachments) != 1 || !bytes.Equal(p.Attachments[0].Data, []byte{1, 2, 3}) {
			t.Fatalf("attachment after retries: %+v", p.Attachments)
		}
		if after := e.email(t, em.ID); after.Attempts != sent.Attempts {
			t.Fatalf("tries went on after sending: %d -> %d", sent.Attempts, after.Attempts)
		}
	})
}

// TestRelayNotConfiguredYet: emails queued before the admin sets a relay
// wait for it.
func TestRelayNotConfiguredYet(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, testConfig())
		em, err := e.mailer.Enqueue(t.Context(), Message{To: []string{"ann@example.com"}, Subject: "early", Text: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if em.MessageID != em.ID+"@localhost" {
			t.Fatalf("Message-ID without a relay: %q", em.MessageID)
		}
		waitFor(t, "a try without relay", 30*time.Second, func() bool {
			got := e.email(t, em.ID)
			return got.Attempts >= 1 && strings.Contains(got.LastError, "no SMTP relay is configured")
		})
		ts := startServer(t, serverOpts{})
		e.setRelay(t, relayTo(ts, model.SMTPNone), 0)
		e.waitStatus(t, em.ID, model.EmailSent)
		if n := len(ts.messages()); n != 1 {
			t.Fatalf("%d messages", n)
		}
	})
}

func TestPermanentFailure(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, testConfig())
		ts := startServer(t, serverOpts{RejectRcpt: "gone@example.com"})
		e.setRelay(t, relayTo(ts, model.SMTPNone), 0)
		em, err := e.mailer.Enqueue(t.Context(), Message{TenantID: e.tenant.ID, To: []string{"gone@example.com"}, Subject: "x", Text: "x",
			Attachments: []Attachment{{Name: "a.txt", Reader: strings.NewReader("a")}}})
		if err != nil {
			t.Fatal(err)
		}
		got := e.waitStatus(t, em.ID, model.EmailFailed)
		if got.Attempts != 1 || !strings.Contains(got.LastError, "550") || !strings.Contains(got.LastError, "gone@example.com") {
			t.Fatalf("failed email %+v", got)
		}
		time.Sleep(400 * time.Millisecond)
		if after := e.email(t, em.ID); after.Attempts != 1 || after.Status != model.EmailFailed {
			t.Fatalf("a refused email was tried again: %+v", after)
		}
		waitFor(t, "owned blob removed after failure", 5*time.Second, func() bool { return len(e.blobFiles(t)) == 0 })
	})
}

func TestMaxAttempts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		cfg := testConfig()
		cfg.MaxAttempts = 2
		e := newEnv(t, st, cfg)
		e.setRelay(t, model.SMTPRelay{Host: "127.0.0.1", Port: freePort(t), Security: model.SMTPNone, FromAddress: "fax@faxgate.example"}, 0)
		em, err := e.mailer.Enqueue(t.Context(), Message{To: []string{"ann@example.com"}, Subject: "x", Text: "x"})
		if err != nil {
			t.Fatal(err)
		}
		got := e.waitStatus(t, em.ID, model.EmailFailed)
		if got.Attempts != 2 || !strings.Contains(got.LastError, "refused") {
			t.Fatalf("email after its last try %+v", got)
		}
	})
}

func TestAttachmentLimit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, testConfig())
		ts := startServer(t, serverOpts{})
		const limit = model.MinEmailAttachmentLimit // 64 KiB
		e.setRelay(t, relayTo(ts, model.SMTPNone), limit)
		if fit, _ := e.mailer.AttachmentsFit(t.Context(), limit); !fit {
			t.Fatal("exactly the limit does not fit")
		}
		if fit, _ := e.mailer.AttachmentsFit(t.Context(), limit-10, 11); fit {
			t.Fatal("one byte over the limit fits")
		}
		big := bytes.Repeat([]byte{'x'}, limit+1)
		if _, err := e.blobs.Put(t.Context(), "t/x/fax/big.pdf", bytes.NewReader(big)); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			atts []Attachment
		}{
			{"one reader over", []Attachment{{Name: "big.bin", Reader: bytes.NewReader(big)}}},
			{"two readers over together", []Attachment{{Name: "a", Reader: bytes.NewReader(big[:limit/2+1])}, {Name: "b", Reader: bytes.NewReader(big[:limit/2])}}},
			{"blob over", []Attachment{{Name: "fax.pdf", BlobKey: "t/x/fax/big.pdf"}}},
			{"reader then blob over", []Attachment{{Name: "a", Reader: strings.NewReader("abc")}, {Name: "fax.pdf", BlobKey: "t/x/fax/big.pdf"}}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.mailer.Enqueue(t.Context(), Message{To: []string{"ann@example.com"}, Subject: "big", Text: "x", Attachments: tc.atts})
				if !errors.Is(err, ErrAttachmentsTooLarge) || !errors.Is(err, model.ErrTooLarge) {
					t.Fatalf("error %v, want ErrAttachmentsTooLarge", err)
				}
				if files := e.blobFiles(t); !slices.Equal(files, []string{"t/x/fax/big.pdf"}) {
					t.Fatalf("blobs left behind: %v", files)
				}
			})
		}
		list, _, err := e.st.ListOutboundEmails(t.Context(), model.PlatformScope(), store.OutboundEmailFilter{}, model.ListOptions{})
		if err != nil || len(list) != 0 {
			t.Fatalf("refused emails were stored: %+v, %v", list, err)
		}
		// Exactly the limit goes out.
		em, err := e.mailer.Enqueue(t.Context(), Message{To: []string{"ann@example.com"}, Subject: "fits", Text: "x",
			Attachments: []Attachment{{Name: "fits.bin", Reader: bytes.NewReader(big[:limit])}}})
		if err != nil {
			t.Fatal(err)
		}
		e.waitStatus(t, em.ID, model.EmailSent)
	})
}

func TestMessageValidation(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st, testConfig())
	ok := func() Message { return Message{To: []string{"ann@example.com"}, Subject: "s", Text: "t"} }
	tests := []struct {
		name  string
		mod   func(*Message)
		field string
	}{
		{"no recipients", func(m *Message) { m.To = nil }, "to"},
		{"too many recipients", func(m *Message) { m.To = slices.Repeat([]string{"a@example.com"}, 51) }, "to"},
		{"bad recipient", func(m *Message) { m.To = []string{"ann@example.com", "not an address"} }, "to"},
		{"recipient with name", func(m *Message) { m.To = []string{"Ann <ann@example.com>"} }, "to"},
		{"bad reply-to", func(m *Message) { m.ReplyTo = "nope" }, "reply_to"},
		{"subject too long", func(m *Message) { m.Subject = strings.Repeat("s", 501) }, "subject"},
		{"body too big", func(m *Message) { m.Text = strings.Repeat("b", MaxBodyBytes+1) }, "text"},
		{"bad in-reply-to", func(m *Message) { m.InReplyTo = "no at sign" }, "in_reply_to"},
		{"bad reference", func(m *Message) { m.References = []string{"ok@x.example", "<a b@c>"} }, "references"},
		{"attachment without content", func(m *Message) { m.Attachments = []Attachment{{Name: "x"}} }, "attachments"},
		{"attachment bad blob key", func(m *Message) { m.Attachments = []Attachment{{Name: "x", BlobKey: "../etc/passwd"}} }, "attachments"},
		{"too many attachments", func(m *Message) {
			m.Attachments = slices.Repeat([]Attachment{{Name: "x", Reader: strings.NewReader("x")}}, 21)
		}, "attachments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := ok()
			tc.mod(&m)
			_, err := e.mailer.Enqueue(t.Context(), m)
			var ve *model.ValidationError
			if !errors.As(err, &ve) || ve.Fields[tc.field] == "" {
				t.Fatalf("error %v, want a validation error on %q", err, tc.field)
			}
		})
	}
	if _, err := e.mailer.Enqueue(t.Context(), ok()); err != nil {
		t.Fatalf("valid message refused: %v", err)
	}
	// Unknown tenant: refused, nothing left behind.
	m := ok()
	m.TenantID = "ten_aaaaaaaaaaaaaaaa"
	m.Attachments = []Attachment{{Name: "a", Reader: strings.NewReader("a")}}
	if _, err := e.mailer.Enqueue(t.Context(), m); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("unknown tenant: %v", err)
	}
	if files := e.blobFiles(t); len(files) != 0 {
		t.Fatalf("blobs left behind: %v", files)
	}
}

func TestCleanFilename(t *testing.T) {
	tests := map[string]string{
		"fax.pdf":                "fax.pdf",
		`C:\docs\fax.pdf`:        "fax.pdf",
		"../../etc/passwd":       "passwd",
		"":                       "attachment",
		"..":                     "attachment",
		"a\x00b\r\n\"c.pdf":      "abc.pdf",
		"dir/":                   "dir",
		"  spaced name.tif  ":    "spaced name.tif",
		strings.Repeat("é", 300): strings.Repeat("é", 200),
	}
	for in, want := range tests {
		if got := cleanFilename(in); got != want {
			t.Errorf("cleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSendTest(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, testConfig())
		err := e.mailer.SendTest(t.Context(), e.admin, "ops@example.com")
		var ve *model.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields["smtp_host"], "no SMTP relay") {
			t.Fatalf("without relay: %v", err)
		}
		cert := newTestCert(t)
		ts := startServer(t, serverOpts{TLS: cert.Server, Users: map[string]string{"relay": "relay-secret-pw"}})
		r := relayTo(ts, model.SMTPStartTLS)
		r.Username, r.Password = "relay", "relay-secret-pw"
		e.setRelay(t, r, 0)
		if err := e.mailer.SendTest(t.Context(), e.tenantAd, "ops@example.com"); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("tenant admin: %v", err)
		}
		if err := e.mailer.SendTest(t.Context(), e.admin, "not an address"); !errors.As(err, &ve) || ve.Fields["to"] == "" {
			t.Fatalf("bad address: %v", err)
		}
		// The relay's certificate is not trusted by this mailer: the admin sees why.
		if err := e.mailer.SendTest(t.Context(), e.admin, "ops@example.com"); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("untrusted relay: %v", err)
		}
		cfg := testConfig()
		cfg.RootCAs = cert.Pool
		trusting := NewMailer(st, e.blobs, nil, e.au, cfg)
		if err := trusting.SendTest(t.Context(), e.admin, "ops@example.com"); err != nil {
			t.Fatalf("SendTest: %v", err)
		}
		msgs := ts.messages()
		if len(msgs) != 1 || !msgs[0].TLS || msgs[0].User != "relay" || !slices.Equal(msgs[0].To, []string{"ops@example.com"}) {
			t.Fatalf("test messages %+v", msgs)
		}
		p := parseMail(t, msgs[0].Data)
		if s, _ := p.Header.Subject(); s != "faxgate test email" || !strings.Contains(p.Text, "admin@example.com") ||
			p.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Fatalf("test message %q %q", s, p.Text)
		}
		evs, _, err := st.ListAuditEvents(t.Context(), model.PlatformScope(), store.AuditFilter{Action: model.ActionTestEmailSent}, model.ListOptions{})
		if err != nil || len(evs) != 2 || !strings.HasSuffix(evs[0].Detail, ": sent") || !strings.Contains(evs[1].Detail, "failed: ") ||
			strings.Contains(evs[0].Detail+evs[1].Detail, "relay-secret-pw") {
			t.Fatalf("audit events %+v, %v", evs, err)
		}
	})
}
