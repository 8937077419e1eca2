package smtpd_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/blob"
	"faxgate/internal/document"
	"faxgate/internal/documents"
	"faxgate/internal/jobs"
	"faxgate/internal/mail/smtpd"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
	"faxgate/internal/tenancy"
)

const domain = "fax.test"

var (
	convOnce sync.Once
	conv     *document.Converter
	convErr  error
)

func sharedConverter(t *testing.T) *document.Converter {
	t.Helper()
	convOnce.Do(func() {
		cache := filepath.Join(os.TempDir(), "faxgate-test-pdfium-cache")
		conv, convErr = document.NewConverter(document.Config{Workers: 1, CompilationCacheDir: cache})
	})
	if convErr != nil {
		t.Fatalf("NewConverter: %v", convErr)
	}
	return conv
}

// recorder is the Submitter of these tests: it keeps the requests (the fax
// service has its own tests) and refuses numbers ending in 0999 the way
// faxout does, with a validation error.
type recorder struct {
	// entered and gate, when set, make SubmitEmailFax announce itself and
	// wait (to hold a message in flight).
	entered chan struct{}
	gate    chan struct{}
	mu      sync.Mutex
	reqs    []smtpd.FaxRequest
	acts    []model.Actor
}

func (r *recorder) SubmitEmailFax(_ context.Context, a model.Actor, req smtpd.FaxRequest) (string, error) {
	if r.gate != nil {
		r.entered <- struct{}{}
		<-r.gate
	}
	if strings.HasSuffix(req.To, "0999") {
		return "", model.Invalid("to", "no fax line may dial this number")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	r.acts = append(r.acts, a)
	return model.NewID("fax"), nil
}

// actors are who each recorded fax was sent as.
func (r *recorder) actors() []model.Actor {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]model.Actor(nil), r.acts...)
}

func (r *recorder) requests() []smtpd.FaxRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]smtpd.FaxRequest(nil), r.reqs...)
}

type env struct {
	*authtest.Env
	w    authtest.World
	docs *documents.Service
	sub  *recorder
	srv  *smtpd.Server
	addr string
	cfg  smtpd.Config
	pool *x509.CertPool
}

// newEnv starts real services on SQLite and a server on 127.0.0.1.
func newEnv(t *testing.T, adjust func(*smtpd.Config)) *env {
	t.Helper()
	return newEnvWith(t, adjust, nil)
}

// newEnvWith is newEnv with extra dependencies (sender checks, notices).
func newEnvWith(t *testing.T, adjust func(*smtpd.Config), deps func(*env, *smtpd.Deps)) *env {
	t.Helper()
	st := storetest.OpenSQLite(t)
	e := &env{Env: authtest.NewEnv(t, st, nil), sub: &recorder{}}
	e.w = e.NewWorld(t)
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e.docs = startDocuments(t, st, e.Env, logger)
	e.cfg = smtpd.Config{Domain: domain, Hostname: "127.0.0.1", DataDir: t.TempDir()}
	if adjust != nil {
		adjust(&e.cfg)
	}
	var err error
	d := smtpd.Deps{Store: st, Auth: e.Auth, Tenancy: e.Tenancy, Documents: e.docs,
		Submitter: e.sub, Audit: e.Audit, Logger: logger}
	if deps != nil {
		deps(e, &d)
	}
	e.srv, err = smtpd.New(d, e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	e.pool = x509.NewCertPool()
	pemBytes, err := os.ReadFile(filepath.Join(e.cfg.DataDir, "smtp", "cert.pem"))
	if err == nil && !e.pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("generated certificate does not parse")
	}
	return e
}

func startDocuments(t *testing.T, st *store.Store, ae *authtest.Env, logger *slog.Logger) *documents.Service {
	t.Helper()
	blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	documents.NewWorker(st, blobs, sharedConverter(t), logger, documents.Config{}).Register(workers)
	j, err := jobs.New(st, logger, workers, nil, jobs.WithFetchPollInterval(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := j.Stop(ctx); err != nil {
			t.Errorf("jobs.Stop: %v", err)
		}
	})
	docs, err := documents.New(documents.Deps{Store: st, Blobs: blobs, Jobs: j, Audit: ae.Audit, Logger: logger}, documents.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// dial opens an SMTP session; tlsOn runs STARTTLS (verifying the
// generated certificate).
func (e *env) dial(t *testing.T, tlsOn bool) *smtp.Client {
	t.Helper()
	if tlsOn {
		c, err := smtp.DialStartTLS(e.addr, &tls.Config{ServerName: "127.0.0.1", RootCAs: e.pool})
		if err != nil {
			t.Fatalf("STARTTLS: %v", err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	c, err := smtp.Dial(e.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("client.test"); err != nil {
		t.Fatal(err)
	}
	return c
}

// login dials with STARTTLS and authenticates as user@a.example.
func (e *env) login(t *testing.T) *smtp.Client {
	t.Helper()
	c := e.dial(t, true)
	if err := c.Auth(sasl.NewPlainClient("", e.w.UserA.Email, authtest.Password)); err != nil {
		t.Fatalf("AUTH: %v", err)
	}
	return c
}

// send runs MAIL, RCPTs and DATA and returns the first error.
func send(c *smtp.Client, from string, to []string, msg string) error {
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	for _, r := range to {
		if err := c.Rcpt(r, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(strings.ReplaceAll(msg, "\n", "\r\n"))); err != nil {
		return err
	}
	return w.Close()
}

// code is the SMTP reply code of err (0 when err is not an SMTP reply).
func code(err error) int {
	if se, ok := err.(*smtp.SMTPError); ok {
		return se.Code
	}
	return 0
}

func (e *env) setBodyAsCover(t *testing.T, on bool) {
	t.Helper()
	_, err := e.Tenancy.UpdateFaxSettings(t.Context(), e.w.TenantAActor, "", tenancy.FaxSettingsInput{EmailBodyAsCover: &on})
	authtest.Must(t, "UpdateFaxSettings", err)
}

func (e *env) documents(t *testing.T) []model.Document {
	t.Helper()
	ds, _, err := e.St.ListDocuments(t.Context(), model.PlatformScope(), store.DocumentFilter{}, model.ListOptions{Limit: 100})
	authtest.Must(t, "ListDocuments", err)
	return ds
}

// --- test files --------------------------------------------------------------

// pdfFile makes a PDF of n pages with Ghostscript.
func pdfFile(t *testing.T, n int) []byte {
	t.Helper()
	if _, err := exec.LookPath("gs"); err != nil {
		t.Fatal("Ghostscript (gs) is required: scripts/install-deps.sh test")
	}
	out := filepath.Join(t.TempDir(), "t.pdf")
	ps := "/Helvetica findfont 24 scalefont setfont"
	for i := 1; i <= n; i++ {
		ps += " 72 700 moveto (Page " + string(rune('0'+i)) + ") show showpage"
	}
	cmd := exec.Command("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-sPAPERSIZE=a4",
		"-o", out, "-c", ps)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gs: %v: %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pngFile is an A4-proportioned image; big makes it over the inline
// threshold (noise does not compress).
func pngFile(t *testing.T, w, h int, noisy bool) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	seed := uint32(7)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8(255)
			if noisy {
				seed = seed*1664525 + 1013904223
				v = uint8(seed >> 24)
			} else if y > h/4 && y < h/4+20 {
				v = 0
			}
			img.SetGray(x, y, color.Gray{v})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
