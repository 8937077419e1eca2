package faxoutsubmit_test

import (
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store/storetest"
)

// TestEmailFaxDelivered runs the whole path with the real services: an
// SMTP message with a PDF becomes a document, a fax with source email is
// queued through faxout and delivered on a fast test line.
func TestEmailFaxDelivered(t *testing.T) {
	p := startPipeline(t, storetest.OpenSQLite(t))
	fo, w, ctx := p.fo, p.w, t.Context()
	ln := p.ln
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

func pdf(t testing.TB) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "o.pdf")
	cmd := exec.Command("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-sPAPERSIZE=a4",
		"-o", out, "-c", "/Helvetica findfont 24 scalefont setfont 72 700 moveto (Order) show showpage")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gs: %v: %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
