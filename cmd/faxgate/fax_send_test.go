package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faxgate/internal/app"
	"faxgate/internal/app/apptest"
	"faxgate/internal/config"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// TestFaxSendCommand drives `faxgate fax send` against a real application
// on each engine: tenant choice, input errors, --wait without a server (a
// clear time-out, the fax stays queued), then with `faxgate serve` running
// on the same database (delivered on a fast test trunk).
func TestFaxSendCommand(t *testing.T) {
	apptest.ForEachEngine(t, testFaxSend)
}

func testFaxSend(t *testing.T, dsn func(*testing.T) string) {
	dir, db := t.TempDir(), dsn(t)
	setUpSendWorld(t, dir, db)
	memo := filepath.Join(dir, "memo.txt")
	if err := os.WriteFile(memo, []byte("Memo\n\nSent from the command line.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.bin")
	if err := os.WriteFile(junk, []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0xde, 0xad}, 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"fax", "send", "--data", dir, "--db", db}
	send := func(args ...string) (int, string, string) { return runCmd(t, append(base, args...)...) }

	errTests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no --to", []string{"--file", memo}, 2, "--to is required"},
		{"bad quality", []string{"--to", "+12025550100", "--file", memo, "--quality", "ultra"}, 2, "--quality"},
		{"bad retries", []string{"--to", "+12025550100", "--file", memo, "--retries", "11"}, 2, "--retries"},
		{"several tenants", []string{"--to", "+12025550100", "--file", memo}, 1, `name one with --tenant: "Alpha`},
		{"unknown tenant", []string{"--to", "+12025550100", "--file", memo, "--tenant", "Gamma"}, 1, `no tenant named "Gamma"`},
		{"missing file", []string{"--to", "+12025550100", "--file", filepath.Join(dir, "nope.pdf"), "--tenant", "Alpha"}, 1, "no such file"},
		{"not a document", []string{"--to", "+12025550100", "--file", junk, "--tenant", "alpha"}, 1, "file"},
		{"bad number", []string{"--to", "12", "--file", memo, "--tenant", "Alpha"}, 1, "to"},
	}
	for _, tc := range errTests {
		code, out, errs := send(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.name, code, out, errs, tc.code, tc.want)
		}
	}

	// No server: queued, and --wait says why it gives up.
	code, out, errs := send("--to", "+12025550100", "--file", memo, "--tenant", "Alpha", "--wait", "--timeout", "1s")
	queued := decodeFax(t, out)
	if code != 1 || queued.Status != "queued" || !strings.Contains(errs, "faxgate serve") {
		t.Fatalf("--wait without a server: exit %d, %+v, stderr %q", code, queued, errs)
	}

	// With a server on the same database the fax is sent.
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	srvErr, done := &lockedBuffer{}, make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", dir, "--db", db, "--http", addr, "--smtp", "off", "--sip", "off"},
			&lockedBuffer{}, srvErr)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	waitHealthz(t, "http://"+addr, done, srvErr)
	code, out, errs = send("--to", "+1 202 555 0100", "--file", memo, "--tenant", "Alpha", "--title", "CLI memo",
		"--retries", "0", "--quality", "standard", "--wait", "--timeout", "3m")
	sent := decodeFax(t, out)
	if code != 0 || sent.Status != "delivered" || sent.To != "+12025550100" || sent.Title != "CLI memo" ||
		sent.Pages != 1 || sent.PagesSent != 1 || sent.CompletedAt == nil {
		t.Fatalf("send --wait: exit %d, %+v, stderr %q", code, sent, errs)
	}
	// A failing number: printed, exit status 1.
	code, out, _ = send("--to", "+12025550486", "--file", memo, "--tenant", "Beta", "--retries", "0", "--wait")
	if busy := decodeFax(t, out); code != 1 || busy.Status != "failed" || busy.Cause != "busy" {
		t.Fatalf("busy number: exit %d, %+v", code, busy)
	}
}

// setUpSendWorld migrates the database and adds two tenants and a fast
// test trunk ahead of the built-in real-time one.
func setUpSendWorld(t *testing.T, dir, db string) {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir, cfg.DB = dir, db
	a, err := app.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := t.Context()
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	admin := model.SystemActor()
	for _, name := range []string{"Alpha", "Beta"} {
		if _, err := a.Tenancy().CreateTenant(ctx, admin, tenancy.TenantInput{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	on := true
	if _, err := a.Faxout().CreateTrunk(ctx, admin, faxout.TrunkInput{Name: "Fast test", Kind: model.TrunkTest,
		Speed: model.SpeedFast, Priority: 1, MaxChannels: 4, Enabled: &on, T38: model.T38Request}); err != nil {
		t.Fatal(err)
	}
}

func decodeFax(t *testing.T, out string) faxJSON {
	t.Helper()
	var f faxJSON
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("stdout %q: %v", out, err)
	}
	return f
}
