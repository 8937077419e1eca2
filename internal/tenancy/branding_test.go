package tenancy_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
	"faxgate/internal/tenancy"
)

func TestBranding(t *testing.T) {
	authtest.ForEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := authtest.NewEnv(t, open(t), nil)
		w := e.NewWorld(t)
		def := model.DefaultBranding()

		b, err := e.Tenancy.GetBranding(e.Ctx, w.UserAActor, "")
		authtest.Must(t, "get default", err)
		if b.TenantID != w.A.ID || b.CompanyName != def.CompanyName || b.Domain != "" {
			t.Fatalf("unbranded tenant %+v", b)
		}
		in := tenancy.BrandingInput{Domain: ptr("Fax.Acme.Example."), CompanyName: ptr(" Acme "), Title: ptr("Acme Fax"), Footer: ptr("© Acme")}
		b, err = e.Tenancy.UpdateBranding(e.Ctx, w.TenantAActor, "", in)
		authtest.Must(t, "update", err)
		if b.Domain != "fax.acme.example" || b.CompanyName != "Acme" || b.Title != "Acme Fax" || b.Footer != "© Acme" {
			t.Fatalf("updated %+v", b)
		}
		if evs := e.Events(t, model.ActionBrandingUpdated, w.A.ID); len(evs) != 1 || !strings.Contains(evs[0].Detail, `company_name "" → "Acme"`) {
			t.Fatalf("branding events %+v", evs)
		}

		for _, host := range []string{"fax.acme.example", "FAX.ACME.EXAMPLE:8443", "fax.acme.example.", "fax.acme.example.:80"} {
			got, found := e.Tenancy.BrandingForHost(e.Ctx, host)
			if !found || got.TenantID != w.A.ID || got.CompanyName != "Acme" {
				t.Fatalf("BrandingForHost(%q) = %+v, %v", host, got, found)
			}
		}
		for _, host := range []string{"", "other.example", "[::1]:8080", "127.0.0.1:8080", "acme.example", "fax.acme.example.evil"} {
			if got, found := e.Tenancy.BrandingForHost(e.Ctx, host); found || got != def {
				t.Fatalf("BrandingForHost(%q) = %+v, %v; want default", host, got, found)
			}
		}
		if got := e.Tenancy.BrandingForActor(e.Ctx, w.UserAActor); got.CompanyName != "Acme" {
			t.Fatalf("BrandingForActor(user A) = %+v", got)
		}
		if got := e.Tenancy.BrandingForActor(e.Ctx, w.UserBActor); got.CompanyName != def.CompanyName || got.TenantID != w.B.ID {
			t.Fatalf("BrandingForActor(user B) = %+v", got)
		}
		if got := e.Tenancy.BrandingForActor(e.Ctx, w.AdminActor); got != def {
			t.Fatalf("BrandingForActor(admin) = %+v", got)
		}

		// Suspended tenants keep their branding on their domain (login is then refused).
		a := w.A
		a.Status = model.TenantSuspended
		authtest.Must(t, "suspend", e.St.UpdateTenant(e.Ctx, model.PlatformScope(), &a))
		if _, found := e.Tenancy.BrandingForHost(e.Ctx, "fax.acme.example"); !found {
			t.Fatal("suspended tenant lost its branding")
		}

		tests := []struct {
			name   string
			actor  model.Actor
			tenant string
			in     tenancy.BrandingInput
			want   want
		}{
			{"domain taken", w.TenantBActor, "", tenancy.BrandingInput{Domain: ptr("fax.acme.example")}, want{is: model.ErrConflict}},
			{"user may not brand", w.UserBActor, "", tenancy.BrandingInput{Title: ptr("Mine")}, forbidden},
			{"other tenant", w.TenantBActor, w.A.ID, tenancy.BrandingInput{Title: ptr("Hijack")}, notFound},
			{"admin must name a tenant", w.AdminActor, "", tenancy.BrandingInput{Title: ptr("x")}, invalid("tenant_id")},
			{"admin, unknown tenant", w.AdminActor, model.NewID(model.PrefixTenant), tenancy.BrandingInput{Title: ptr("x")}, notFound},
			{"bad domain", w.TenantBActor, "", tenancy.BrandingInput{Domain: ptr("https://b.example/")}, invalid("domain")},
			{"domain is an IP", w.TenantBActor, "", tenancy.BrandingInput{Domain: ptr("192.0.2.10")}, invalid("domain")},
			{"label too long", w.TenantBActor, "", tenancy.BrandingInput{Domain: ptr(strings.Repeat("a", 64) + ".example")}, invalid("domain")},
			{"long footer", w.TenantBActor, "", tenancy.BrandingInput{Footer: ptr(strings.Repeat("f", 501))}, invalid("footer")},
			{"long company", w.TenantBActor, "", tenancy.BrandingInput{CompanyName: ptr(strings.Repeat("c", 101))}, invalid("company_name")},
			{"admin brands B", w.AdminActor, w.B.ID, tenancy.BrandingInput{Domain: ptr("fax.b.example"), Title: ptr("B")}, ok},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.Tenancy.UpdateBranding(e.Ctx, tc.actor, tc.tenant, tc.in)
				tc.want.check(t, err)
			})
		}
		if got, _ := e.Tenancy.GetBranding(e.Ctx, w.AdminActor, w.A.ID); got.Title != "Acme Fax" {
			t.Fatalf("refused updates changed A's branding: %+v", got)
		}
		if _, err := e.Tenancy.GetBranding(e.Ctx, w.TenantBActor, w.A.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("B reads A's branding = %v", err)
		}
	})
}

func pngOf(t *testing.T, wd, ht int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, wd, ht))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	authtest.Must(t, "png", png.Encode(&buf, img))
	return buf.Bytes()
}

func jpegOf(t *testing.T, wd, ht int) []byte {
	t.Helper()
	var buf bytes.Buffer
	authtest.Must(t, "jpeg", jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, wd, ht)), nil))
	return buf.Bytes()
}

func TestLogo(t *testing.T) {
	e := authtest.NewEnv(t, storetest.OpenSQLite(t), nil)
	w := e.NewWorld(t)
	logo := pngOf(t, 120, 40)
	b, err := e.Tenancy.SetLogo(e.Ctx, w.TenantAActor, "", logo)
	authtest.Must(t, "set logo", err)
	if b.LogoType != "image/png" || !b.HasLogo() {
		t.Fatalf("branding after logo %+v", b)
	}
	ct, data, err := e.Tenancy.Logo(e.Ctx, w.A.ID)
	if err != nil || ct != "image/png" || !bytes.Equal(data, logo) {
		t.Fatalf("Logo = %s, %d bytes, %v", ct, len(data), err)
	}
	if _, err := e.Tenancy.SetLogo(e.Ctx, w.UserAActor, "", logo); !errors.Is(err, model.ErrForbidden) {
		t.Fatalf("user sets logo = %v", err)
	}
	if _, err := e.Tenancy.SetLogo(e.Ctx, w.TenantBActor, w.A.ID, logo); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("B sets A's logo = %v", err)
	}
	if err := e.Tenancy.RemoveLogo(e.Ctx, w.TenantBActor, w.A.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("B removes A's logo = %v", err)
	}
	authtest.Must(t, "remove", e.Tenancy.RemoveLogo(e.Ctx, w.TenantAActor, ""))
	if _, _, err := e.Tenancy.Logo(e.Ctx, w.A.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("Logo after removal = %v", err)
	}
	if evs := e.Events(t, model.ActionBrandingUpdated, w.A.ID); len(evs) != 2 {
		t.Fatalf("logo events %+v", evs)
	}
	if _, _, err := e.Tenancy.Logo(e.Ctx, ""); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("Logo(\"\") = %v", err)
	}
}

func TestCheckLogo(t *testing.T) {
	big := append(pngOf(t, 10, 10), make([]byte, tenancy.MaxLogoBytes)...)
	tests := []struct {
		name     string
		data     []byte
		ct       string // "" = refused
		tooLarge bool
	}{
		{"png", pngOf(t, 64, 64), "image/png", false},
		{"jpeg", jpegOf(t, 300, 100), "image/jpeg", false},
		{"png at the limit", pngOf(t, 4096, 1), "image/png", false},
		{"png too wide", pngOf(t, 4097, 1), "", false},
		{"png too tall", pngOf(t, 1, 4097), "", false},
		{"truncated png", pngOf(t, 64, 64)[:20], "", false},
		{"too large", big, "", true},
		{"empty", nil, "", false},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "", false},
		{"html", []byte("<html><body><script>alert(1)</script></body></html>"), "", false},
		{"plain text", []byte("just some text"), "", false},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>`), "image/svg+xml", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := tenancy.CheckLogo(tc.data)
			switch {
			case tc.tooLarge:
				if !errors.Is(err, model.ErrTooLarge) {
					t.Fatalf("err = %v, want ErrTooLarge", err)
				}
			case tc.ct == "":
				invalid("logo").check(t, err)
			case err != nil || ct != tc.ct:
				t.Fatalf("CheckLogo = %q, %v; want %q", ct, err, tc.ct)
			}
		})
	}
}

func TestSVGSanitiser(t *testing.T) {
	const ns = `xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"`
	svg := func(body string) []byte { return []byte(`<svg ` + ns + ` viewBox="0 0 10 10">` + body + `</svg>`) }
	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"shapes and text", svg(`<g fill="#123"><circle cx="5" cy="5" r="4"/><text x="1" y="9">Acme &amp; Co</text></g>`), true},
		{"xml declaration and comment", []byte(`<?xml version="1.0" encoding="UTF-8"?><!-- logo --><svg ` + ns + `><path d="M0 0h10v10z"/></svg>`), true},
		{"gradient by fragment", svg(`<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs><rect fill="url(#g)" width="10" height="10"/>`), true},
		{"use of a fragment", svg(`<defs><path id="p" d="M0 0h1z"/></defs><use xlink:href="#p"/><use href="#p"/>`), true},
		{"inline png image", svg(`<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>`), true},
		{"style without urls", svg(`<style>.a{fill:red}</style><rect class="a" style="stroke: blue" width="1" height="1"/>`), true},
		{"link to fragment", svg(`<a href="#top"><rect width="1" height="1"/></a>`), true},

		{"script", svg(`<script>alert(1)</script>`), false},
		{"script uppercase", svg(`<SCRIPT>alert(1)</SCRIPT>`), false},
		{"namespaced script", svg(`<x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script>`), false},
		{"onload", []byte(`<svg ` + ns + ` onload="alert(1)"></svg>`), false},
		{"onclick uppercase", svg(`<rect ONCLICK="alert(1)"/>`), false},
		{"foreignObject", svg(`<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>`), false},
		{"iframe", svg(`<iframe src="https://evil.example"/>`), false},
		{"external image", svg(`<image href="https://evil.example/track.png"/>`), false},
		{"external xlink", svg(`<use xlink:href="https://evil.example/s.svg#x"/>`), false},
		{"javascript link", svg(`<a href="javascript:alert(1)"><rect/></a>`), false},
		{"javascript link spaced", svg(`<a xlink:href="  JavaScript:alert(1)"><rect/></a>`), false},
		{"svg data url image", svg(`<image href="data:image/svg+xml;base64,PHN2Zz4="/>`), false},
		{"html data url", svg(`<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"><rect/></a>`), false},
		{"set animates href", svg(`<a href="#x"><set attributeName="href" to="javascript:alert(1)"/></a>`), false},
		{"animate", svg(`<animate attributeName="href" values="javascript:alert(1)"/>`), false},
		{"doctype", []byte(`<!DOCTYPE svg [<!ENTITY x "boom">]><svg ` + ns + `>&x;</svg>`), false},
		{"external entity", []byte(`<!DOCTYPE svg SYSTEM "http://evil.example/x.dtd"><svg ` + ns + `/>`), false},
		{"stylesheet PI", []byte(`<?xml-stylesheet href="https://evil.example/x.css"?><svg ` + ns + `/>`), false},
		{"css import", svg(`<style>@import url(https://evil.example/x.css);</style>`), false},
		{"css external url", svg(`<style>rect{fill:url( 'https://evil.example/x.svg#g')}</style>`), false},
		{"style attr external url", svg(`<rect style="background:url(//evil.example/t.png)"/>`), false},
		{"fill external url", svg(`<rect fill="url(https://evil.example/x.svg#g)"/>`), false},
		{"xml:base", svg(`<g xml:base="https://evil.example/"><use href="#x"/></g>`), false},
		{"root is not svg", []byte(`<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>`), false},
		{"two roots", []byte(`<svg ` + ns + `/><svg ` + ns + `/>`), false},
		{"malformed", []byte(`<svg ` + ns + `><rect></svg>`), false},
		{"text after root", []byte(`<svg ` + ns + `/>trailing`), false},
		{"deep nesting", svg(strings.Repeat("<g>", 100) + strings.Repeat("</g>", 100)), false},
		{"embed", svg(`<embed src="x.swf"/>`), false},
		{"entity-encoded javascript", svg(`<a href="&#106;avascript:alert(1)"><rect/></a>`), false},
		{"handler element", svg(`<handler type="application/ecmascript">alert(1)</handler>`), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := tenancy.CheckLogo(tc.data)
			if tc.ok {
				if err != nil || ct != "image/svg+xml" {
					t.Fatalf("CheckLogo = %q, %v; want accepted", ct, err)
				}
				return
			}
			invalid("logo").check(t, err)
		})
	}
}
