package notices_test

import (
	"context"
	"crypto/tls"
	"database/sql"
	"log/slog"
	"mime"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/blob"
	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/faxout"
	"faxgate/internal/jobs"
	"faxgate/internal/mail/mailtest"
	"faxgate/internal/mail/notices"
	"faxgate/internal/mail/outbound"
	"faxgate/internal/mail/senders"
	"faxgate/internal/mail/smtpd"
	"faxgate/internal/mail/smtpd/faxoutsubmit"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
	"faxgate/internal/tenancy"
)

// env is the whole email-to-fax path on real services: SMTP server, the
// document and fax services on a fast test line, the notices, the mailer
// and an SMTP sink as the platform's relay.
type env struct {
	*authtest.Env
	w     authtest.World
	st    *store.Store
	fo    *faxout.Service
	ns    *notices.Service
	sink  *mailtest.Sink
	addr  string
	sends *senders.Service
}

func newEnv(t *testing.T, st *store.Store, cfg notices.Config) *env {
	t.Helper()
	ae := authtest.NewEnv(t, st, nil)
	e := &env{Env: ae, w: ae.NewWorld(t), st: st, sink: mailtest.Start(t)}
	ctx := t.Context()
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p, err := st.GetPlatformSettings(ctx, model.PlatformScope())
	authtest.Must(t, "platform settings", err)
	p.SMTP = model.SMTPRelay{Host: e.sink.Host, Port: e.sink.Port, Security: model.SMTPNone, FromAddress: "fax@faxgate.test"}
	authtest.Must(t, "relay", st.PutPlatformSettings(ctx, model.PlatformScope(), &p))
	zero := 0
	_, err = ae.Tenancy.UpdateFaxSettings(ctx, e.w.TenantAActor, "", tenancy.FaxSettingsInput{DefaultRetries: &zero})
	authtest.Must(t, "no retries", err)

	blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	authtest.Must(t, "blob", err)
	conv, err := document.NewConverter(document.Config{Workers: 1,
		CompilationCacheDir: filepath.Join(os.TempDir(), "faxgate-test-pdfium-cache")})
	authtest.Must(t, "converter", err)
	e.sends = senders.New(st, ae.Audit)
	var pub publisher
	e.fo, err = faxout.New(faxout.Deps{Store: st, Blob: blobs, Audit: ae.Audit, Logger: logger, Publisher: &pub}, faxout.Config{})
	authtest.Must(t, "faxout.New", err)
	e.ns = notices.New(e.sends, e.fo, cfg)
	pub.ns = e.ns
	off := false
	_, err = e.fo.UpdateTrunk(ctx, e.w.AdminActor, model.TestTrunkID, faxout.TrunkPatch{Enabled: &off})
	authtest.Must(t, "disable realtime test line", err)
	_, err = e.fo.CreateTrunk(ctx, e.w.AdminActor, faxout.TrunkInput{Name: "Fast", Kind: model.TrunkTest,
		Speed: model.SpeedFast, MaxChannels: 4, T38: model.T38Request})
	authtest.Must(t, "CreateTrunk", err)

	mcfg := outbound.Config{Logger: logger}
	workers := river.NewWorkers()
	documents.NewWorker(st, blobs, conv, logger, documents.Config{}).Register(workers)
	periodic := e.fo.AddWorkers(workers)
	outbound.AddWorker(workers, st, blobs, mcfg)
	e.ns.AddWorker(workers)
	j, err := jobs.New(st, logger, workers, map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: 4}, faxout.Queue: faxout.QueueConfig(4)},
		jobs.WithFetchPollInterval(50*time.Millisecond), jobs.WithPeriodicJobs(periodic...),
		jobs.WithRiverConfig(faxout.RiverConfig))
	authtest.Must(t, "jobs.New", err)
	e.fo.UseJobs(j)
	e.ns.Use(outbound.NewMailer(st, blobs, j, ae.Audit, mcfg), j)
	authtest.Must(t, "jobs.Start", j.Start(ctx))
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = j.Stop(c)
	})
	docs, err := documents.New(documents.Deps{Store: st, Blobs: blobs, Jobs: j, Audit: ae.Audit, Logger: logger}, documents.Config{})
	authtest.Must(t, "documents.New", err)
	srv, err := smtpd.New(smtpd.Deps{Store: st, Auth: ae.Auth, Tenancy: ae.Tenancy, Documents: docs,
		Submitter: faxoutsubmit.New(e.fo), Audit: ae.Audit, Logger: logger, Senders: e.sends, Notices: e.ns},
		smtpd.Config{Domain: "fax.test", Hostname: "127.0.0.1", DataDir: t.TempDir()})
	authtest.Must(t, "smtpd.New", err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	authtest.Must(t, "listen", err)
	e.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return e
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// publisher hands faxout's notices to the notice service (as app does).
type publisher struct{ ns *notices.Service }

func (p *publisher) PublishFaxTx(ctx context.Context, tx *sql.Tx, n faxout.Notice) error {
	return p.ns.PublishFaxTx(ctx, tx, n)
}

// send emails one message with AUTH as user@a.example.
func (e *env) send(t *testing.T, from string, to []string, msg string) error {
	t.Helper()
	c, err := smtp.DialStartTLS(e.addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // self-signed test server
	authtest.Must(t, "dial", err)
	defer c.Close()
	if from == "user@a.example" {
		authtest.Must(t, "AUTH", c.Auth(sasl.NewPlainClient("", from, authtest.Password)))
	}
	return c.SendMail(from, to, strings.NewReader(strings.ReplaceAll(msg, "\n", "\r\n")))
}

func subject(m mailtest.Message) string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}

// TestNotices sends one email to a number that answers and one that is
// busy: the sender gets one acceptance notice, a success notice with the
// transmission report and a failure notice in plain words, all answering
// the original Message-ID; a refused sender gets nothing.
func TestNotices(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := newEnv(t, eng.Open(t), notices.Config{})
			msg := "From: user@a.example\nTo: 12025550100@fax.test\nSubject: Order 42\nMessage-ID: <order-42@client.test>\n\nplease fax this\n"
			authtest.Must(t, "send", e.send(t, "user@a.example", []string{"12025550100@fax.test", "12025550486@fax.test"}, msg))

			threaded := func(m mailtest.Message) bool {
				return m.Header.Get("In-Reply-To") == "<order-42@client.test>" &&
					strings.Contains(m.Header.Get("References"), "<order-42@client.test>") &&
					len(m.To) == 1 && m.To[0] == "user@a.example"
			}
			wait := func(what string, match func(mailtest.Message) bool) mailtest.Message {
				t.Helper()
				m, ok := e.sink.Wait(2*time.Minute, func(m mailtest.Message) bool { return threaded(m) && match(m) })
				if !ok {
					var got []string
					for _, m := range e.sink.Messages() {
						got = append(got, subject(m))
					}
					t.Fatalf("no %s notice; received %q", what, got)
				}
				return m
			}
			acc := wait("acceptance", func(m mailtest.Message) bool { return strings.Contains(subject(m), "[fax accepted]") })
			if s := subject(acc); s != "Re: Order 42 [fax accepted]" || !strings.Contains(string(acc.Raw), "+12025550486") {
				t.Errorf("acceptance notice %q:\n%s", s, acc.Raw)
			}
			ok := wait("success", func(m mailtest.Message) bool { return strings.Contains(subject(m), "[fax delivered]") })
			raw := string(ok.Raw)
			if !strings.Contains(raw, "application/pdf") || !strings.Contains(raw, "transmission-report-") ||
				!strings.Contains(raw, "+12025550100") {
				t.Errorf("success notice without the report or the number:\n%.2000s", raw)
			}
			bad := wait("failure", func(m mailtest.Message) bool { return strings.Contains(subject(m), "[fax failed]") })
			if raw := string(bad.Raw); !strings.Contains(raw, "busy") || !strings.Contains(raw, "+12025550486") {
				t.Errorf("failure notice without the reason:\n%s", raw)
			}
			if a := bad.Header.Get("Auto-Submitted"); a != "auto-generated" {
				t.Errorf("Auto-Submitted %q", a)
			}

			// No backscatter: a refused sender gets no email.
			before := len(e.sink.Messages())
			if err := e.send(t, "stranger@elsewhere.test", []string{"12025550100@fax.test"},
				"From: stranger@elsewhere.test\nSubject: x\n\nx\n"); err == nil {
				t.Fatal("an unknown sender was accepted")
			}
			time.Sleep(500 * time.Millisecond) // nothing is queued; give a wrong implementation the chance to show
			if n := len(e.sink.Messages()); n != before {
				t.Errorf("%d emails after a refusal, want %d", n, before)
			}
		})
	}
}

// TestNoticeRateLimit drops the notices over the per-address limit.
func TestNoticeRateLimit(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t), notices.Config{PerHour: 3}) // burst 1
	for i := 0; i < 3; i++ {
		e.ns.Accepted(t.Context(), smtpd.Acceptance{TenantID: e.w.A.ID, To: "user@a.example", Subject: "s",
			MessageID: "m@client.test", Faxes: []smtpd.AcceptedFax{{ID: "fax_x", To: "+12025550100"}}})
	}
	e.ns.Accepted(t.Context(), smtpd.Acceptance{TenantID: e.w.A.ID, To: "boss@a.example", Subject: "s"})
	emails, _, err := e.st.ListOutboundEmails(t.Context(), model.PlatformScope(), store.OutboundEmailFilter{}, model.ListOptions{Limit: 50})
	authtest.Must(t, "ListOutboundEmails", err)
	per := map[string]int{}
	for _, m := range emails {
		per[m.To[0]]++
	}
	if per["user@a.example"] != 1 || per["boss@a.example"] != 1 {
		t.Fatalf("notices per address %v, want one each", per)
	}
}
