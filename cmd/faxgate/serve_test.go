package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"faxgate/internal/app/apptest"
)

// lockedBuffer is a goroutine-safe output sink.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runCmd drives run() in-process.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	for range 2 { // idempotent
		code, out, errs := runCmd(t, "migrate", "--data", dir)
		if code != 0 || !strings.Contains(out, "Database migrated (sqlite)") {
			t.Fatalf("migrate: %d %q %q", code, out, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "faxgate.db")); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runCmd(t, "migrate", "--no-such-flag"); code != 2 {
		t.Fatalf("bad flag: exit %d, want 2", code)
	}
}

func TestAdminCreateCommand(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		out  string // substring of stdout (code 0) or stderr
	}{
		{"ok", []string{"--email", "Ops@Example.com", "--password", "ops password 1", "--first-name", "Op"}, 0,
			"Created admin ops@example.com (usr_"},
		{"duplicate", []string{"--email", "ops@example.com", "--password", "ops password 2"}, 1, "email is already in use"},
		{"bad email", []string{"--email", "not-an-email", "--password", "ops password 2"}, 1, "email"},
		{"short password", []string{"--email", "b@example.com", "--password", "short"}, 1, "password"},
		{"missing password", []string{"--email", "c@example.com"}, 1, "missing --password"},
		{"missing both", nil, 1, "missing --email and --password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"admin", "create", "--data", dir}, tt.args...)
			code, out, errs := runCmd(t, args...)
			text := errs
			if tt.code == 0 {
				text = out
			}
			if code != tt.code || !strings.Contains(text, tt.out) {
				t.Fatalf("exit %d stdout %q stderr %q; want %d and %q", code, out, errs, tt.code, tt.out)
			}
		})
	}
	if code, _, _ := runCmd(t, "admin", "delete"); code != 2 {
		t.Fatalf("unknown admin subcommand: exit %d", code)
	}
}

var firstAdminLine = regexp.MustCompile(`(?m)^First admin: (\S+) / (\S+)$`)

// TestServeInProcess runs `faxgate serve` through run(): it migrates,
// prints the first admin once, serves, and returns 0 when its context ends.
func TestServeInProcess(t *testing.T) {
	apptest.ForEachEngine(t, testServeInProcess)
}

func testServeInProcess(t *testing.T, dsn func(*testing.T) string) {
	dir, db := t.TempDir(), dsn(t)
	for round := range 2 {
		addr := freeAddr(t)
		ctx, cancel := context.WithCancel(t.Context())
		out, errb := &lockedBuffer{}, &lockedBuffer{}
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--data", dir, "--db", db, "--http", addr, "--smtp", "off", "--sip", "off"}, out, errb)
		}()
		waitHealthz(t, "http://"+addr, done, errb)
		m := firstAdminLine.FindStringSubmatch(out.String())
		if round == 0 {
			if m == nil || m[1] != "admin@localhost" || len(m[2]) < 16 {
				t.Fatalf("stdout %q has no first admin line", out.String())
			}
			if strings.Contains(errb.String(), m[2]) {
				t.Fatal("the password is in the logs")
			}
			checkLogin(t, "http://"+addr, m[1], m[2])
		} else if m != nil || out.String() != "" {
			t.Fatalf("second start printed %q", out.String())
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("serve exit %d: %s", code, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop")
		}
	}
}

func waitHealthz(t *testing.T, base string, done <-chan int, logs fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("serve exited early with %d: %s", code, logs)
		default:
		}
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("never healthy: %s", logs)
}

func checkLogin(t *testing.T, base, login, pw string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.SetBasicAuth(login, pw)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"role":"admin"`) {
		t.Fatalf("login as the printed admin: %d %s", res.StatusCode, body)
	}
}

// TestServeBinary builds the real binary, starts `faxgate serve` on a free
// port with a temporary data folder, logs in with the printed admin, sends
// SIGTERM and expects a clean exit 0.
func TestServeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "faxgate")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--data", t.TempDir(), "--http", addr, "--smtp", "off", "--sip", "off",
		"--log-format", "json")
	cmd.Env = append(os.Environ(), "FAXGATE_ADMIN_EMAIL=ops@example.com")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var first string
	select {
	case first = <-lines:
	case <-time.After(60 * time.Second):
		t.Fatalf("no first admin line; logs: %s", logs)
	}
	m := firstAdminLine.FindStringSubmatch(first)
	if m == nil || m[1] != "ops@example.com" {
		t.Fatalf("first stdout line %q", first)
	}
	exited := make(chan int, 1)
	waitHealthz(t, "http://"+addr, exited, logs)
	checkLogin(t, "http://"+addr, m[1], m[2])
	if strings.Contains(logs.String(), m[2]) {
		t.Fatal("the password is in the logs")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve ignored SIGTERM\n%s", logs)
	}
	if rest := drain(lines); rest != "" {
		t.Errorf("more on stdout: %q", rest)
	}
	for _, want := range []string{`"msg":"shutting down"`, `"msg":"shutdown complete"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s", want)
		}
	}
}

func drain(lines <-chan string) string {
	var b strings.Builder
	for l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}
