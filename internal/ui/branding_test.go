package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
)

// testPNG is a small real PNG.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		for y := range 20 {
			img.Set(x, y, color.RGBA{R: uint8(x * 6), G: 90, B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// postBranding sends the branding form as multipart, with an optional logo.
func postBranding(t *testing.T, b *browser, path string, fields map[string]string, logo []byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("logo", "logo.png")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(logo)
	_ = mw.Close()
	return b.do(http.MethodPost, path, &body, mw.FormDataContentType(),
		map[string]string{"Origin": b.base, "Sec-Fetch-Site": "same-origin"})
}

func TestBrandingShowsOnLoginPageOfItsDomain(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	fields := map[string]string{"domain": "acme.test", "company_name": "Acme Fax", "title": "Acme portal", "footer": "© Acme Ltd"}
	wantRedirect(t, postBranding(t, b, "/admin/branding", fields, testPNG(t)), "/admin/branding")
	r := b.get("/admin/branding")
	wantText(t, r, "Branding saved.", "Acme Fax")
	wantHTML(t, r, `value="acme.test"`, `id="logo-preview" src="/branding/logo/`+p.W.A.ID+`?v=`)
	if n := len(p.Events(t, model.ActionBrandingUpdated)); n < 1 {
		t.Error("branding change not audited")
	}

	anon := p.browser(t)
	anon.host = "acme.test:8080"
	r = anon.get("/login")
	wantStatus(t, r, http.StatusOK)
	wantText(t, r, "Acme Fax", "© Acme Ltd")
	wantHTML(t, r, `<title>Log in · Acme portal</title>`, `class="auth-logo" src="/branding/logo/`+p.W.A.ID+`?v=`)

	other := p.browser(t)
	r = other.get("/login")
	if strings.Contains(r.Body, "Acme") {
		t.Error("the default host shows the tenant's branding")
	}

	logo := anon.get("/branding/logo/" + p.W.A.ID + "?v=1")
	wantStatus(t, logo, http.StatusOK)
	if logo.Header.Get("Content-Type") != "image/png" || logo.Body != string(testPNG(t)) {
		t.Errorf("logo: %s, %d bytes", logo.Header.Get("Content-Type"), len(logo.Body))
	}
	if !strings.Contains(logo.Header.Get("Content-Security-Policy"), "default-src 'none'") ||
		logo.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("logo headers: %v", logo.Header)
	}
	wantStatus(t, anon.get("/branding/logo/"+p.W.B.ID), http.StatusNotFound)

	// After login the tenant's users see the branding too.
	u := p.browser(t)
	u.login("user@a.example")
	wantHTML(t, u.get("/"), `<span class="brand-name">Acme Fax</span>`)

	r = b.get("/admin/branding/logo/remove")
	wantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `id="confirm-box"`, `action="/admin/branding/logo/remove"`)
	wantText(t, r, "Remove the logo?")
	wantRedirect(t, b.post("/admin/branding/logo/remove", nil), "/admin/branding")
	wantStatus(t, anon.get("/branding/logo/"+p.W.A.ID), http.StatusNotFound)
}

func TestBrandingErrors(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("boss@a.example")
	r := postBranding(t, b, "/admin/branding", map[string]string{"domain": "not a host!", "company_name": "Kept Inc"}, nil)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `value="Kept Inc"`, `id="f-domain-err"`)

	r = postBranding(t, b, "/admin/branding", map[string]string{"company_name": "Kept Inc"}, []byte("<html>not an image</html>"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantHTML(t, r, `id="f-logo-err"`)
	wantText(t, r, "The text fields were saved; the logo was not.")

	big := append(testPNG(t), make([]byte, 600<<10)...)
	r = postBranding(t, b, "/admin/branding", map[string]string{"company_name": "Kept Inc"}, big)
	if r.Status != http.StatusRequestEntityTooLarge && r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("oversize logo: %d", r.Status)
	}
	wantHTML(t, r, `id="f-logo-err"`)

	// Another tenant's domain is a field error too.
	other := p.browser(t)
	other.login("boss@b.example")
	wantRedirect(t, postBranding(t, other, "/admin/branding", map[string]string{"domain": "taken.test"}, nil), "/admin/branding")
	r = postBranding(t, b, "/admin/branding", map[string]string{"domain": "taken.test"}, nil)
	wantStatus(t, r, http.StatusConflict)
	wantText(t, r, "is already in use")
}

func TestAdminEditsTenantBranding(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login("admin@example.com")
	wantRedirect(t, b.get("/admin/branding"), "/admin/tenants")
	path := "/admin/branding?tenant_id=" + p.W.B.ID
	r := b.get(path)
	wantStatus(t, r, http.StatusOK)
	wantText(t, r, "Branding of Tenant B")
	wantRedirect(t, postBranding(t, b, path, map[string]string{"company_name": "Bee Fax"}, nil), path)
	br, err := p.Tenancy.GetBranding(p.Ctx, p.W.AdminActor, p.W.B.ID)
	authtest.Must(t, "branding", err)
	if br.CompanyName != "Bee Fax" {
		t.Errorf("company name %q", br.CompanyName)
	}
	wantStatus(t, b.get("/admin/branding?tenant_id=ten_aaaaaaaaaaaaaaaa"), http.StatusNotFound)
}
