package ui

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/httpx"
	"faxgate/internal/store/storetest"
)

// portal is the portal behind the real httpx middleware, on real services
// and a real SQLite store, served by a real HTTP server.
type portal struct {
	*authtest.Env
	W   authtest.World
	URL string
}

// newPortal serves the portal; with adds optional services to its Deps.
func newPortal(t *testing.T, with ...func(*authtest.Env, *Deps)) *portal {
	t.Helper()
	env := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	// Real time: the browser's cookie jar drops cookies that expired by
	// the wall clock.
	env.Clock.Advance(time.Since(env.Clock.Now()).Truncate(time.Second))
	d := Deps{Auth: env.Auth, Tenancy: env.Tenancy, Audit: env.Audit, Now: env.Clock.Now}
	for _, f := range with {
		f(env, &d)
	}
	h, err := New(d)
	if err != nil {
		t.Fatalf("ui.New: %v", err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	mw, err := httpx.NewMiddleware(httpx.Options{Auth: env.Auth, Branding: env.Tenancy,
		PublicPrefixes: []string{"/static/"}})
	if err != nil {
		t.Fatalf("middleware: %v", err)
	}
	srv := httptest.NewServer(mw(mux))
	t.Cleanup(srv.Close)
	return &portal{Env: env, W: env.NewWorld(t), URL: srv.URL}
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see every 303.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	host string // Host header override ("" = the server's address)
}

func (p *portal) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: p.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// response is what a test looks at.
type response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (b *browser) do(method, path string, body io.Reader, ctype string, hdr map[string]string) response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if b.host != "" {
		req.Host = b.host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Body: string(data), Location: res.Header.Get("Location"), Header: res.Header}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	return b.do(http.MethodGet, path, nil, "", nil)
}

// post sends a same-origin form post, as a browser would.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	return b.do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded",
		map[string]string{"Origin": b.base, "Sec-Fetch-Site": "same-origin"})
}

// login logs in with the fixture password and checks the redirect.
func (b *browser) login(email string) {
	b.t.Helper()
	r := b.post("/login", url.Values{"login": {email}, "password": {authtest.Password}})
	if r.Status != http.StatusSeeOther || r.Location != "/" {
		b.t.Fatalf("login %s: status %d location %q\n%s", email, r.Status, r.Location, r.Body)
	}
}

// text is the visible text of an HTML body, tags stripped and whitespace
// collapsed, for "the page says ..." checks.
func text(body string) string {
	s := regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>`).ReplaceAllString(body, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d (location %q)\n%s", r.Status, status, r.Location, text(r.Body))
	}
}

func wantRedirect(t *testing.T, r response, location string) {
	t.Helper()
	if r.Status != http.StatusSeeOther || r.Location != location {
		t.Fatalf("got %d to %q, want 303 to %q\n%s", r.Status, r.Location, location, text(r.Body))
	}
}

func wantText(t *testing.T, r response, parts ...string) {
	t.Helper()
	txt := text(r.Body)
	for _, p := range parts {
		if !strings.Contains(txt, p) {
			t.Errorf("page does not say %q:\n%s", p, txt)
		}
	}
}

func wantHTML(t *testing.T, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Body, p) {
			t.Errorf("page HTML lacks %q", p)
		}
	}
}
