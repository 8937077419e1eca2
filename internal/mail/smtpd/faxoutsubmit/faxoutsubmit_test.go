package faxoutsubmit_test

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"os"
	"os/exec"
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
	"faxgate/internal/mail/smtpd"
	"faxgate/internal/mail/smtpd/faxoutsubmit"
	"faxgate/internal/model"
	"faxgate/internal/store/storetest"
)

// TestEmailFaxDelivered runs the whole path with the real services: an
// SMTP message with a PDF becomes a document, a fax with source email is
// queued through faxout and delivered on a fast test line.
func TestEmailFaxDelivered(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ae := authtest.NewEnv(t, st, nil)
	w := ae.NewWorld(t)
	ctx := t.Context()
	logger := slog.New(slog.DiscardHandler)
	blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	authtest.Must(t, "blob", err)
	conv, err := document.NewConverter(document.Config{Workers: 1,
		CompilationCacheDir: filepath.Join(os.TempDir(), "faxgate-test-pdfium-cache")})
	authtest.Must(t, "converter", err)

	fo, err := faxout.New(faxout.Deps{Store: st, Blob: blobs, Audit: ae.Audit, Logger: logger}, faxout.Config{})
	authtest.Must(t, "faxout.New", err)
	off := false
	_, err = fo.UpdateTrunk(ctx, w.AdminActor, model.TestTrunkID, faxout.TrunkPatch{Enabled: &off})
	authtest.Must(t, "disable realtime test line", err)
	_, err = fo.CreateTrunk(ctx, w.AdminActor, faxout.TrunkInput{Name: "Fast", Kind: model.TrunkTest,
		Speed: model.SpeedFast, MaxChannels: 2, T38: model.T38Request})
	authtest.Must(t, "CreateTrunk", err)

	workers := river.NewWorkers()
	documents.NewWorker(st, blobs, conv, logger, documents.Config{}).Register(workers)
	periodic := fo.AddWorkers(workers)
	j, err := jobs.New(st, logger, workers, map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: 2}, faxout.Queue: faxout.QueueConfig(4)},
		jobs.WithFetchPollInterval(50*time.Millisecond), jobs.WithPeriodicJobs(periodic...),
		jobs.WithRiverConfig(faxout.RiverConfig))
	authtest.Must(t, "jobs.New", err)
	fo.UseJobs(j)
	authtest.Must(t, "jobs.Start", j.Start(ctx))
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = j.Stop(c)
	})
	docs, err := documents.New(documents.Deps{Store: st, Blobs: blobs, Jobs: j, Audit: ae.Audit, Logger: logger}, documents.Config{})
	authtest.Must(t, "documents.New", err)

	srv, err := smtpd.New(smtpd.Deps{Store: st, Auth: ae.Auth, Tenancy: ae.Tenancy, Documents: docs,
		Submitter: faxoutsubmit.New(fo), Audit: ae.Audit, Logger: logger},
		smtpd.Config{Domain: "fax.test", Hostname: "127.0.0.1", DataDir: t.TempDir()})
	authtest.Must(t, "smtpd.New", err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	authtest.Must(t, "listen", err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	c, err := smtp.DialStartTLS(ln.Addr().String(), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // self-signed test server
	authtest.Must(t, "dial", err)
	defer c.Close()
	authtest.Must(t, "AUTH", c.Auth(sasl.NewPlainClient("", w.UserA.Email, authtest.Password)))
	msg := "From: user@a.example\r\nSubject: Signed order\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
		"--x\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=order.pdf\r\n\r\n" +
		string(pdf(t)) + "\r\n--x--\r\n"
	authtest.Must(t, "send", c.SendMail("user@a.example", []string{"+12025550100@fax.test"}, strings.NewReader(msg)))

	faxes, _, err := fo.List(ctx, w.UserAActor, faxout.ListFilter{Direction: model.Outbound}, model.ListOptions{Limit: 10})
	authtest.Must(t, "List", err)
	if len(faxes) != 1 {
		t.Fatalf("%d faxes, want 1", len(faxes))
	}
	f := faxes[0]
	if f.Source != model.SourceEmail || f.To != "+12025550100" || f.Title != "Signed order" || f.UserID != w.UserA.ID {
		t.Fatalf("fax %+v", f)
	}
	deadline := time.Now().Add(90 * time.Second)
	for !f.Status.Final() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		f, err = fo.Get(ctx, w.UserAActor, f.ID)
		authtest.Must(t, "Get", err)
	}
	if f.Status != model.FaxDelivered {
		t.Fatalf("fax ended %s (%s), want delivered", f.Status, f.ResultText)
	}
}

func pdf(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "o.pdf")
	cmd := exec.Command("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-sPAPERSIZE=a4",
		"-o", out, "-c", "/Helvetica findfont 24 scalefont setfont 72 700 moveto (Order) show showpage")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gs: %v: %s", err, b)
	}
	b, err := os.ReadFile(out)
	authtest.Must(t, "read pdf", err)
	return b
}
