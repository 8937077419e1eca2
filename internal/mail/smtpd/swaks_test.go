package smtpd_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
)

// TestSwaksEndToEnd sends a PDF with swaks (a real MTA-grade client) over
// STARTTLS with AUTH LOGIN, like a mail client would.
func TestSwaksEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("swaks"); err != nil {
		t.Skip("swaks not installed (scripts/install-deps.sh test installs it)")
	}
	e := newEnv(t, nil)
	pdf := filepath.Join(t.TempDir(), "quote.pdf")
	if err := os.WriteFile(pdf, pdfFile(t, 3), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(e.addr, ":")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "swaks", "--server", host, "--port", port, "--tls",
		"--auth", "LOGIN", "--auth-user", "user@a.example", "--auth-password", authtest.Password,
		"--from", "user@a.example", "--to=12025550100@fax.test",
		"--header", "Subject: Quote from swaks", "--body", "see attached",
		"--attach-type", "application/pdf", "--attach", "@"+pdf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "<~  250 ") || !strings.Contains(string(out), "STARTTLS") {
		t.Errorf("swaks transcript lacks STARTTLS or the final 250:\n%s", out)
	}
	d := e.onlyDocument(t)
	if d.Status != model.DocumentReady || d.Pages != 3 || len(d.Sources) != 1 || d.Sources[0].Filename != "quote.pdf" {
		t.Fatalf("document %s, %d pages, sources %+v (%s)", d.Status, d.Pages, d.Sources, d.Error)
	}
	reqs := e.sub.requests()
	if len(reqs) != 1 || reqs[0].To != "+12025550100" || reqs[0].Title != "Quote from swaks" || reqs[0].DocumentID != d.ID {
		t.Fatalf("requests %+v", reqs)
	}
}
