package api_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"strings"
	"testing"

	"faxgate/internal/api"
)

// previewInk decodes a preview PNG and returns its size and the share of
// dark pixels in the rectangle given in fractions of the image.
func previewInk(t *testing.T, b []byte, x0, y0, x1, y1 float64) (image.Point, float64) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("preview is not a PNG: %v", err)
	}
	r := img.Bounds()
	ax, bx := int(x0*float64(r.Dx())), int(x1*float64(r.Dx()))
	ay, by := int(y0*float64(r.Dy())), int(y1*float64(r.Dy()))
	dark, n := 0, 0
	for y := ay; y < by; y++ {
		for x := ax; x < bx; x++ {
			n++
			if g := color.GrayModel.Convert(img.At(x, y)).(color.Gray); g.Y < 128 {
				dark++
			}
		}
	}
	return r.Size(), float64(dark) / float64(max(n, 1))
}

// TestSettingsAPI: fax and cover page settings through the API: users read,
// tenant admins change (validated, audited), admins name the tenant, other
// tenants' settings are 404, and the cover preview reflects settings and
// overrides.
func TestSettingsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn func(*testing.T) string) {
		e := newEnv(t, dsn(t))
		w := e.newWorld(t)
		boss, user := bearer(w.keyTA), bearer(w.keyUA)

		var fs api.FaxSettings
		e.must(t, user, "GET", "/api/v1/settings/fax", nil, 200, &fs)
		if fs.TenantID != w.A.ID || fs.DefaultQuality == "" || fs.RetryDelayS <= 0 || fs.UpdatedAt != nil {
			t.Errorf("default fax settings %+v", fs)
		}
		q, retries, delay := "superfine", 4, 120
		e.must(t, boss, "PUT", "/api/v1/settings/fax", api.FaxSettingsInput{DefaultQuality: &q, DefaultRetries: &retries, RetryDelayS: &delay}, 200, &fs)
		if fs.DefaultQuality != "superfine" || fs.DefaultRetries != 4 || fs.RetryDelayS != 120 || fs.UpdatedAt == nil {
			t.Errorf("saved fax settings %+v", fs)
		}
		e.must(t, user, "GET", "/api/v1/settings/fax", nil, 200, &fs)
		if fs.DefaultQuality != "superfine" {
			t.Errorf("user reads %+v", fs)
		}

		bad := 3
		cases := []struct {
			name   string
			c      func() resp
			status int
			field  string
		}{
			{"user may not change", func() resp {
				return e.call(t, user, "PUT", "/api/v1/settings/fax", api.FaxSettingsInput{DefaultRetries: &retries})
			}, 403, ""},
			{"retry delay too short", func() resp {
				return e.call(t, boss, "PUT", "/api/v1/settings/fax", api.FaxSettingsInput{RetryDelayS: &bad})
			}, 422, "retry_delay_s"},
			{"unknown field", func() resp { return e.call(t, boss, "PUT", "/api/v1/settings/fax", `{"default_qualty":"fine"}`) }, 400, ""},
			{"other tenant's fax settings", func() resp { return e.call(t, boss, "GET", "/api/v1/settings/fax?tenant_id="+w.B.ID, nil) }, 404, ""},
			{"other tenant's cover page", func() resp {
				return e.call(t, boss, "PUT", "/api/v1/settings/cover-page?tenant_id="+w.B.ID, api.CoverPageInput{})
			}, 404, ""},
			{"other tenant's preview", func() resp {
				return e.call(t, user, "GET", "/api/v1/settings/cover-page/preview?tenant_id="+w.B.ID, nil)
			}, 404, ""},
			{"admin must name the tenant", func() resp { return e.call(t, e.adminCred(), "GET", "/api/v1/settings/fax", nil) }, 422, ""},
			{"bad email", func() resp {
				s := "not an address"
				return e.call(t, boss, "PUT", "/api/v1/settings/cover-page", api.CoverPageInput{Email: &s})
			}, 422, "email"},
			{"preview subject too long", func() resp {
				return e.call(t, boss, "GET", "/api/v1/settings/cover-page/preview?subject="+strings.Repeat("x", 201), nil)
			}, 422, "subject"},
			{"preview unknown parameter", func() resp { return e.call(t, boss, "GET", "/api/v1/settings/cover-page/preview?colour=red", nil) }, 400, ""},
		}
		for _, c := range cases {
			wantStatusCode(t, c.name, c.c(), c.status, c.field)
		}

		// Admins change any tenant's settings by naming it.
		on, name := true, "Alice Sender"
		var cp api.CoverPageSettings
		e.must(t, e.adminCred(), "PUT", "/api/v1/settings/cover-page?tenant_id="+w.B.ID, api.CoverPageInput{Enabled: &on, SenderName: &name}, 200, &cp)
		if cp.TenantID != w.B.ID || !cp.Enabled || cp.SenderName != name {
			t.Errorf("admin saved %+v", cp)
		}
		e.must(t, bearer(w.keyUB), "GET", "/api/v1/settings/cover-page", nil, 200, &cp)
		if cp.SenderName != name {
			t.Errorf("tenant B reads %+v", cp)
		}

		// The preview: a PNG of an A4 page at 204 dpi with square pixels,
		// whose comments area gains ink when comments are given.
		comments := "Please call me back about the contract. " + strings.Repeat("Important details follow. ", 12)
		e.must(t, boss, "PUT", "/api/v1/settings/cover-page", api.CoverPageInput{Enabled: &on, SenderName: &name}, 200, &cp)
		plain := e.must(t, user, "GET", "/api/v1/settings/cover-page/preview", nil, 200, nil)
		if ct := plain.header.Get("Content-Type"); ct != "image/png" {
			t.Errorf("preview content type %q", ct)
		}
		size, inkPlain := previewInk(t, plain.body, 0.05, 0.55, 0.95, 0.9)
		if size.X != 1728 || size.Y < 2370 || size.Y > 2390 {
			t.Errorf("preview is %v, want 1728 × about 2380 (A4 at 204 dpi, square pixels)", size)
		}
		withComments := e.must(t, user, "GET", "/api/v1/settings/cover-page/preview?comments="+url.QueryEscape(comments)+"&quality=standard", nil, 200, nil)
		_, inkComments := previewInk(t, withComments.body, 0.05, 0.55, 0.95, 0.9)
		if inkComments < inkPlain+0.005 {
			t.Errorf("comments area ink %.4f with comments, %.4f without", inkComments, inkPlain)
		}

		acts := e.actions(t, boss)
		if strings.Count(acts, "settings.updated") < 2 {
			t.Errorf("settings changes not audited: %s", acts)
		}
	})
}
