package httpx_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"faxgate/internal/httpx"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type stack struct {
	srv  *httptest.Server
	reg  *prometheus.Registry
	logs *syncBuffer
}

func newStack(t *testing.T) *stack {
	t.Helper()
	logs := &syncBuffer{}
	reg := prometheus.NewRegistry()
	mw, err := httpx.NewMiddleware(httpx.Options{
		Logger:         slog.New(slog.NewJSONHandler(logs, nil)),
		Registry:       reg,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, 200, map[string]string{"id": r.PathValue("id"), "ip": httpx.ClientIP(r),
			"request_id": httpx.RequestID(r.Context())})
	})
	mux.HandleFunc("GET /api/v1/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("POST /api/v1/echo", func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		if err := httpx.DecodeJSON(w, r, &v, 0); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.WriteJSON(w, 200, v)
	})
	mux.Handle("POST /upload", httpx.LimitBody(4<<20, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.WriteJSON(w, 200, map[string]int64{"n": n})
	})))
	mux.HandleFunc("POST /raw", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.WriteHeader(204)
	})
	srv := httptest.NewServer(mw(mux))
	t.Cleanup(srv.Close)
	return &stack{srv: srv, reg: reg, logs: logs}
}

func (s *stack) do(t *testing.T, method, path string, body io.Reader, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readJSON(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return v
}

func TestRequestIDAndClientIP(t *testing.T) {
	s := newStack(t)
	resp := s.do(t, "GET", "/api/v1/things/abc", nil, map[string]string{
		"X-Request-Id": "proxy-id-1", "X-Forwarded-For": "203.0.113.9, 127.0.0.2"})
	body := readJSON(t, resp)
	if resp.StatusCode != 200 || body["id"] != "abc" {
		t.Fatalf("status %d body %v", resp.StatusCode, body)
	}
	if got := resp.Header.Get("X-Request-Id"); got != "proxy-id-1" || body["request_id"] != got {
		t.Errorf("request id header %q body %v: trusted proxy id not kept", got, body["request_id"])
	}
	if body["ip"] != "203.0.113.9" {
		t.Errorf("client ip %v, want the first untrusted hop", body["ip"])
	}
	resp = s.do(t, "GET", "/api/v1/things/abc", nil, map[string]string{"X-Request-Id": "bad id with spaces"})
	if got := resp.Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
		t.Errorf("invalid request id not replaced: %q", got)
	}
}

func TestRecoverPanics(t *testing.T) {
	s := newStack(t)
	resp := s.do(t, "GET", "/api/v1/panic", nil, nil)
	if resp.StatusCode != 500 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("api panic: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if e := readJSON(t, resp)["error"].(map[string]any); e["code"] != "internal" {
		t.Errorf("api panic body %v", e)
	}
	resp = s.do(t, "GET", "/panic", nil, nil)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(b), "<h1>Internal Server Error</h1>") {
		t.Fatalf("portal panic: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, `"panic":"boom"`) || !strings.Contains(logs, "goroutine") {
		t.Errorf("panic and stack not logged:\n%s", logs)
	}
}

func TestAccessLogAndMetrics(t *testing.T) {
	s := newStack(t)
	for range 3 {
		s.do(t, "GET", "/api/v1/things/x", nil, nil)
	}
	s.do(t, "GET", "/api/v1/panic", nil, nil)
	s.do(t, "GET", "/nope", nil, nil)
	s.do(t, "DELETE", "/api/v1/things/x", nil, nil)
	s.do(t, "POST", "/api/v1/echo", strings.NewReader("{}"), map[string]string{"Sec-Fetch-Site": "cross-site"})

	want := []struct {
		route, method, code string
		n                   float64
	}{
		{"GET /api/v1/things/{id}", "GET", "200", 3},
		{"GET /api/v1/panic", "GET", "500", 1},
		{"unmatched", "GET", "404", 1},
		{"unmatched", "DELETE", "405", 1},
		{"POST /api/v1/echo", "POST", "403", 1}, // refused before the mux, still labelled
	}
	for _, w := range want {
		if got := counter(t, s.reg, w.route, w.method, w.code); got != w.n {
			t.Errorf("http_requests_total{%s,%s,%s} = %v, want %v", w.route, w.method, w.code, got, w.n)
		}
	}
	if n := histogramCount(t, s.reg, "GET /api/v1/things/{id}", "GET"); n != 3 {
		t.Errorf("duration histogram count %d, want 3", n)
	}
	line := ""
	for l := range strings.SplitSeq(s.logs.String(), "\n") {
		if strings.Contains(l, `"msg":"http request"`) && strings.Contains(l, `"path":"/api/v1/things/x"`) {
			line = l
			break
		}
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(line), &entry); err != nil {
		t.Fatalf("no access log line: %v\n%s", err, s.logs)
	}
	for _, k := range []string{"method", "route", "status", "duration_ms", "bytes", "request_id", "actor_id"} {
		if _, ok := entry[k]; !ok {
			t.Errorf("access log lacks %q: %s", k, line)
		}
	}
	if entry["route"] != "GET /api/v1/things/{id}" || entry["status"] != float64(200) {
		t.Errorf("access log route/status: %s", line)
	}
}

func metricFamily(t *testing.T, reg *prometheus.Registry, name string) *dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf
		}
	}
	return nil
}

func labelsMatch(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
			n++
		}
	}
	return n == len(want)
}

func counter(t *testing.T, reg *prometheus.Registry, route, method, code string) float64 {
	mf := metricFamily(t, reg, "http_requests_total")
	if mf == nil {
		return 0
	}
	for _, m := range mf.GetMetric() {
		if labelsMatch(m, map[string]string{"route": route, "method": method, "code": code}) {
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func histogramCount(t *testing.T, reg *prometheus.Registry, route, method string) uint64 {
	mf := metricFamily(t, reg, "http_request_duration_seconds")
	if mf == nil {
		return 0
	}
	for _, m := range mf.GetMetric() {
		if labelsMatch(m, map[string]string{"route": route, "method": method}) {
			return m.GetHistogram().GetSampleCount()
		}
	}
	return 0
}

func TestBodyLimit(t *testing.T) {
	s := newStack(t)
	big := strings.Repeat("a", 2<<20)
	tests := []struct {
		name, path string
		body       string
		status     int
	}{
		{"json over default", "/api/v1/echo", `{"a":"` + big + `"}`, 413},
		{"raw over default", "/raw", big, 413},
		{"small raw", "/raw", "hello", 204},
		{"upload opts in", "/upload", big, 200},
		{"upload over its limit", "/upload", big + big + big, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.do(t, "POST", tt.path, strings.NewReader(tt.body), nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func TestCSRF(t *testing.T) {
	s := newStack(t)
	tests := []struct {
		name   string
		method string
		hdr    map[string]string
		status int
	}{
		{"no browser headers", "POST", nil, 200},
		{"same origin", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, 200},
		{"cross site", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same site is not same origin", "POST", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"old browser foreign origin", "POST", map[string]string{"Origin": "https://evil.example"}, 403},
		{"bearer exempt", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Authorization": "Bearer x"}, 200},
		{"basic not exempt", "POST", map[string]string{"Sec-Fetch-Site": "cross-site",
			"Authorization": "Basic dTpw"}, 403},
		{"safe method", "GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/api/v1/echo"
			var body io.Reader = strings.NewReader(`{"a":1}`)
			if tt.method == "GET" {
				path, body = "/api/v1/things/1", nil
			}
			resp := s.do(t, tt.method, path, body, tt.hdr)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 403 {
				if e := readJSON(t, resp)["error"].(map[string]any); e["code"] != "cross_origin" {
					t.Errorf("body %v", e)
				}
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := httpx.ParseTrustedProxies(" 10.0.0.0/8, 127.0.0.1 ,::1")
	if err != nil || len(got) != 3 || got[1].String() != "127.0.0.1/32" || got[2].String() != "::1/128" {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := httpx.ParseTrustedProxies("10.0.0.0/99"); err == nil {
		t.Error("bad prefix accepted")
	}
}
