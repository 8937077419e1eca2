package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"faxgate/internal/app"
	"faxgate/internal/app/apptest"
	"faxgate/internal/auth"
	"faxgate/internal/auth/authtest"
	"faxgate/internal/config"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testConfig(t *testing.T, dsn string) config.Config {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.DB = dsn
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.SIPAddr = "127.0.0.1:0" // a free port: tests never take 5060
	return cfg
}

func newApp(t *testing.T, cfg config.Config, logs io.Writer, opts ...app.Option) *app.App {
	t.Helper()
	if logs == nil {
		logs = t.Output()
	}
	a, err := app.New(cfg, append([]app.Option{app.WithLogger(slog.New(slog.NewTextHandler(logs, nil))),
		app.WithShutdownTimeout(10 * time.Second),
		app.WithAuthConfig(func(c *auth.Config) { c.Argon2 = authtest.CheapArgon2(); c.FailureDelay = -1 })}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return a
}

func getHealth(t *testing.T, h http.Handler) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("healthz body %q: %v", rec.Body, err)
	}
	return rec.Code, v
}

func TestHealthz(t *testing.T) {
	apptest.ForEachEngine(t, testHealthz)
}

func testHealthz(t *testing.T, dsn func(*testing.T) string) {
	a := newApp(t, testConfig(t, dsn(t)), nil)
	if code, v := getHealth(t, a.Handler()); code != 503 || v["status"] != "unavailable" {
		t.Fatalf("before start: %d %v", code, v)
	}
	if err := a.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if code, v := getHealth(t, a.Handler()); code != 200 || v["status"] != "ok" {
		t.Fatalf("started: %d %v", code, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if code, v := getHealth(t, a.Handler()); code != 503 {
		t.Fatalf("stopped: %d %v", code, v)
	}
	a.Store().Close()
	if code, v := getHealth(t, a.Handler()); code != 503 || !strings.Contains(v["checks"].(map[string]any)["database"].(string), "unreachable") {
		t.Fatalf("database closed: %d %v", code, v)
	}
}

func TestEnsureAdmin(t *testing.T) {
	a := newApp(t, testConfig(t, ""), nil)
	pw, created, err := a.EnsureAdmin(t.Context(), "Boss@Example.com")
	if err != nil || !created || len(pw) < 16 {
		t.Fatalf("first call: %q %v %v", pw, created, err)
	}
	actor, err := a.Auth().AuthenticateBasic(t.Context(), "boss@example.com", pw, "127.0.0.1")
	if err != nil || !actor.IsAdmin() {
		t.Fatalf("printed password does not log in: %+v %v", actor, err)
	}
	pw2, created, err := a.EnsureAdmin(t.Context(), "other@example.com")
	if err != nil || created || pw2 != "" {
		t.Fatalf("second call: %q %v %v", pw2, created, err)
	}
	pw3, _, _ := newApp(t, testConfig(t, ""), nil).EnsureAdmin(t.Context(), "boss@example.com")
	if pw3 == pw {
		t.Fatal("two random passwords are equal")
	}
}

// TestRunGracefulShutdown: Run serves /healthz and /metrics; when its
// context ends, a request in flight still completes, then Run returns nil
// and the port is closed.
func TestRunGracefulShutdown(t *testing.T) {
	apptest.ForEachEngine(t, testRunGracefulShutdown)
}

func testRunGracefulShutdown(t *testing.T, dsn func(*testing.T) string) {
	cfg := testConfig(t, dsn(t))
	cfg.SMTPAddr = "127.0.0.1:2525"
	logs := &syncBuffer{}
	a := newApp(t, cfg, logs)
	if _, err := a.CreateAdmin(t.Context(), app.AdminInput{Email: "root@example.com", Password: "root password 1"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	base := waitHealthy(t, a)

	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`http_requests_total{code="200",method="GET",route="GET /healthz"}`,
		"http_request_duration_seconds_bucket", "go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, want := range []string{"smtp: disabled: no email domain", "sip: listening"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}

	// A slow upload is in flight when shutdown starts.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("PUT", base+"/api/v1/branding/logo", pr)
	req.SetBasicAuth("root@example.com", "root password 1")
	req.Header.Set("Content-Type", "image/png")
	req.Header.Set("Expect", "100-continue")
	type result struct {
		status int
		err    error
	}
	resc := make(chan result, 1)
	go func() {
		// Expect: 100-continue makes the client send the body only once
		// the handler reads it, so the first pipe write below returns when
		// the request is certainly being served.
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
			ExpectContinueTimeout: time.Minute}}
		res, err := client.Do(req)
		if err != nil {
			resc <- result{err: err}
			return
		}
		res.Body.Close()
		resc <- result{status: res.StatusCode}
	}()
	if _, err := pw.Write([]byte("\x89PNG")); err != nil { // returns once the handler reads the body
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned with a request in flight: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	pw.Write([]byte("rest of a not-really-png"))
	pw.Close()
	r := <-resc
	if r.err != nil || r.status == 0 {
		t.Fatalf("in-flight request: %+v", r)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still accepts connections after Run returned")
	}
}

func waitHealthy(t *testing.T, a *app.App) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if addr := a.Addr(); addr != "" {
			res, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					return "http://" + addr
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server never became healthy")
	return ""
}
