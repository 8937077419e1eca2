package faxin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/blob"
	"faxgate/internal/faxin"
	"faxgate/internal/jobs"
	"faxgate/internal/mail/outbound"
	"faxgate/internal/model"
	"faxgate/internal/notify"
	"faxgate/internal/store"
)

// clock is the service's settable clock; it starts at the real time
// because the store stamps rows with the real time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a store, the domain services, a World and the faxin service.
// With full set, it also has real River workers, the webhook service, the
// outbound mailer and an SMTP server and webhook receiver.
type env struct {
	*authtest.Env
	W     authtest.World
	St    *store.Store
	Blobs *blob.FS
	Clock *clock
	Svc   *faxin.Service
	Jobs  *jobs.Jobs
	WH    *notify.Webhooks
	SMTP  *smtpSink
	Hooks *hookSink
}

func newEnv(t *testing.T, st *store.Store, full bool) *env {
	t.Helper()
	e := &env{Env: authtest.NewEnv(t, st, nil), St: st, Clock: newClock()}
	e.W = e.NewWorld(t)
	var err error
	e.Blobs, err = blob.NewFS(t.TempDir())
	authtest.Must(t, "blob.NewFS", err)
	deps := faxin.Deps{Store: st, Blob: e.Blobs, Audit: e.Audit, Now: e.Clock.Now}
	cfg := faxin.Config{SpoolDir: t.TempDir(), PortalURL: "https://fax.example.test"}
	if !full {
		e.Svc, err = faxin.New(deps, cfg)
		authtest.Must(t, "faxin.New", err)
		return e
	}
	e.SMTP = startSMTP(t)
	e.Hooks = startHooks(t)
	p, err := st.GetPlatformSettings(e.Ctx, model.PlatformScope())
	authtest.Must(t, "GetPlatformSettings", err)
	p.SMTP = model.SMTPRelay{Host: "127.0.0.1", Port: e.SMTP.Port, Security: model.SMTPNone,
		FromAddress: "fax@faxgate.test", FromName: "faxgate"}
	authtest.Must(t, "PutPlatformSettings", st.PutPlatformSettings(e.Ctx, model.PlatformScope(), &p))

	whCfg := notify.WebhookConfig{AllowPrivateTargets: true, AllowInsecureHTTP: true, Timeout: 5 * time.Second,
		Schedule: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}}
	mailCfg := outbound.Config{Backoff: []time.Duration{100 * time.Millisecond}, MaxAttempts: 50}
	workers := river.NewWorkers()
	cleanup, err := notify.AddWebhookWorkers(workers, st, e.Audit, whCfg)
	authtest.Must(t, "AddWebhookWorkers", err)
	outbound.AddWorker(workers, st, e.Blobs, mailCfg)
	// The service registers its workers before Jobs exists (UseJobs).
	e.Svc, err = faxin.New(deps, cfg)
	authtest.Must(t, "faxin.New", err)
	e.Svc.AddWorkers(workers) // the purge's periodic job is driven directly in its own test
	e.Jobs, err = jobs.New(st, nil, workers, map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4},
		notify.WebhookQueue: {MaxWorkers: 4}}, jobs.WithFetchPollInterval(50*time.Millisecond),
		jobs.WithPeriodicJobs(cleanup))
	authtest.Must(t, "jobs.New", err)
	e.WH, err = notify.NewWebhooks(st, e.Jobs, e.Audit, whCfg)
	authtest.Must(t, "NewWebhooks", err)
	e.Svc.UseJobs(e.Jobs, e.WH, outbound.NewMailer(st, e.Blobs, e.Jobs, e.Audit, mailCfg))
	return e
}

// start runs the River workers until the test ends.
func (e *env) start(t *testing.T) {
	t.Helper()
	authtest.Must(t, "jobs.Start", e.Jobs.Start(t.Context()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := e.Jobs.Stop(ctx); err != nil {
			t.Errorf("jobs.Stop: %v", err)
		}
	})
}

// did adds a DID to the pool and assigns it to tenantID ("" = pool).
func (e *env) did(t *testing.T, number, tenantID string) model.DID {
	t.Helper()
	d, err := e.Svc.AddDID(e.Ctx, e.W.AdminActor, faxin.DIDInput{Number: number, TenantID: tenantID})
	authtest.Must(t, "AddDID "+number, err)
	return d
}

// smtpSink is a real SMTP server (go-smtp) that keeps what it accepts.
type smtpSink struct {
	Port int
	srv  *smtp.Server
	mu   sync.Mutex
	msgs []sinkMsg
	down bool
}

type sinkMsg struct {
	From string
	To   []string
	Data []byte
}

func startSMTP(t *testing.T) *smtpSink {
	t.Helper()
	s := &smtpSink{}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{s: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.MaxMessageBytes = 50 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	authtest.Must(t, "listen smtp", err)
	s.Port = ln.Addr().(*net.TCPAddr).Port
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// setDown makes the server refuse mail with a temporary error (421-like).
func (s *smtpSink) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func (s *smtpSink) messages() []sinkMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkMsg(nil), s.msgs...)
}

type sinkSession struct {
	s    *smtpSink
	from string
	to   []string
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.s.mu.Lock()
	down := ss.s.down
	ss.s.mu.Unlock()
	if down {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.msgs = append(ss.s.msgs, sinkMsg{From: ss.from, To: ss.to, Data: b})
	return nil
}

func (ss *sinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error { return nil }

// hookSink is a webhook receiver.
type hookSink struct {
	URL  string
	mu   sync.Mutex
	hits []hookHit
}

type hookHit struct {
	Path                string
	ID, Timestamp, Sigs string
	Body                []byte
	Type                string
	Data                map[string]any
}

func startHooks(t *testing.T) *hookSink {
	t.Helper()
	h := &hookSink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		_ = json.Unmarshal(body, &p)
		h.mu.Lock()
		h.hits = append(h.hits, hookHit{Path: r.URL.Path, ID: r.Header.Get("webhook-id"),
			Timestamp: r.Header.Get("webhook-timestamp"), Sigs: r.Header.Get("webhook-signature"), Body: body,
			Type: p.Type, Data: p.Data})
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

func (h *hookSink) received() []hookHit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookHit(nil), h.hits...)
}

// verify checks a hit's Standard Webhooks signature with secret.
func (hh hookHit) verify(secret string) bool {
	ts, err := strconv.ParseInt(hh.Timestamp, 10, 64)
	if err != nil {
		return false
	}
	want, err := notify.SignWebhook(hh.ID, time.Unix(ts, 0), hh.Body, secret)
	return err == nil && bytes.Contains([]byte(" "+hh.Sigs+" "), []byte(" "+want+" "))
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
