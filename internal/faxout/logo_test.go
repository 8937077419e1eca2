package faxout

import (
	"bytes"
	"image"
	"image/png"
	"testing"
	"time"

	"faxgate/internal/blob"
	"faxgate/internal/model"
	"faxgate/internal/store/storetest"
)

// TestCoverContent: the cover page takes the tenant's cover settings, the
// fax's subject and comments (else the defaults), the tenant's time zone
// and, when shown, its PNG logo.
func TestCoverContent(t *testing.T) {
	st := storetest.OpenSQLite(t)
	fs, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{Store: st, Blob: fs}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	tn := model.Tenant{Name: "ACME", Status: model.TenantActive}
	if err := st.CreateTenant(t.Context(), &tn); err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 120, 40))
	for i := range img.Pix {
		img.Pix[i] = 0 // black
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := st.SetBrandingLogo(t.Context(), tn.ID, "image/png", buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	ts := tenantSettings{fax: model.DefaultTenantFaxSettings(tn.ID),
		cover: model.CoverPageSettings{Enabled: true, SenderName: "Ann", Phone: "+1 202", Email: "ann@acme.example",
			Comments: "default comments", ShowLogo: true}}
	ts.fax.TimeZone = "Europe/Paris"
	f := model.Fax{TenantID: tn.ID, To: "+12025550100", CallerID: "+12025550150", Title: "Contract"}
	c := s.coverContent(t.Context(), f, tn, ts, 2)
	if c.FromName != "Ann" || c.FromCompany != "ACME" || c.FromFax != "+1 202-555-0150" || c.ToFax != "+1 202-555-0100" ||
		c.Subject != "Contract" || c.Comments != "default comments" || c.Pages != 2 || c.Logo == nil ||
		c.Location == nil || c.Location.String() != "Europe/Paris" || time.Since(c.Date) > time.Minute {
		t.Errorf("cover %+v", c)
	}
	f.CoverPage = model.CoverPage{Enabled: true, Subject: "Signed", Comments: "mine"}
	ts.cover.ShowLogo = false
	c = s.coverContent(t.Context(), f, tn, ts, 2)
	if c.Subject != "Signed" || c.Comments != "mine" || c.Logo != nil {
		t.Errorf("per-fax cover %+v", c)
	}
}
