package storetest

import (
	"bytes"
	"testing"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

func testBranding(t *testing.T, s *store.Store) {
	c := ctx(t)
	a, b := mustTenant(t, s, "A"), mustTenant(t, s, "B")
	_, err := s.GetBranding(c, a.ID)
	wantErr(t, "GetBranding(none yet)", err, model.ErrNotFound)

	br := model.Branding{TenantID: a.ID, Domain: "Fax.A.Example", CompanyName: "A Inc", Title: "A fax", Footer: "(c) A"}
	noErr(t, "UpsertBranding(create)", s.UpsertBranding(c, &br))
	if br.Domain != "fax.a.example" || br.UpdatedAt.IsZero() {
		t.Errorf("UpsertBranding left Domain %q UpdatedAt %v, want lower case and set", br.Domain, br.UpdatedAt)
	}
	got, err := s.GetBranding(c, a.ID)
	noErr(t, "GetBranding", err)
	diff(t, "GetBranding", got, br)
	for _, host := range []string{"fax.a.example", "FAX.A.EXAMPLE"} {
		got, err = s.GetBrandingByDomain(c, host)
		noErr(t, "GetBrandingByDomain("+host+")", err)
		diff(t, "GetBrandingByDomain", got, br)
	}
	for _, host := range []string{"", "a.example", "fax.b.example"} {
		_, err = s.GetBrandingByDomain(c, host)
		wantErr(t, "GetBrandingByDomain("+host+")", err, model.ErrNotFound)
	}

	br.Title, br.Domain = "A new title", "a.example"
	noErr(t, "UpsertBranding(update)", s.UpsertBranding(c, &br))
	got, err = s.GetBranding(c, a.ID)
	noErr(t, "GetBranding", err)
	diff(t, "GetBranding after update", got, br)

	// B can neither take A's domain nor change A's row; empty domains never clash.
	bb := model.Branding{TenantID: b.ID, Domain: "A.example", Title: "B"}
	wantConflict(t, "UpsertBranding(A's domain)", s.UpsertBranding(c, &bb), "domain")
	bb.Domain = ""
	noErr(t, "UpsertBranding(B, no domain)", s.UpsertBranding(c, &bb))
	other := mustTenant(t, s, "C")
	noErr(t, "UpsertBranding(C, no domain)", s.UpsertBranding(c, &model.Branding{TenantID: other.ID}))
	got, err = s.GetBranding(c, a.ID)
	noErr(t, "GetBranding(A)", err)
	diff(t, "A after B's upserts", got, br)

	ghost := model.Branding{TenantID: model.NewID(model.PrefixTenant), Title: "ghost"}
	wantErr(t, "UpsertBranding(unknown tenant)", s.UpsertBranding(c, &ghost), model.ErrNotFound)
}

func testBrandingLogo(t *testing.T, s *store.Store) {
	c := ctx(t)
	a, b := mustTenant(t, s, "A"), mustTenant(t, s, "B")
	_, _, err := s.GetBrandingLogo(c, a.ID)
	wantErr(t, "GetBrandingLogo(none)", err, model.ErrNotFound)

	// A logo before any other branding creates the row.
	png := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0, 0xff}, 512*1024/6)
	noErr(t, "SetBrandingLogo", s.SetBrandingLogo(c, a.ID, "image/png", png))
	ct, data, err := s.GetBrandingLogo(c, a.ID)
	noErr(t, "GetBrandingLogo", err)
	if ct != "image/png" || !bytes.Equal(data, png) {
		t.Errorf("GetBrandingLogo = %q, %d bytes; want image/png, %d bytes", ct, len(data), len(png))
	}
	br, err := s.GetBranding(c, a.ID)
	noErr(t, "GetBranding", err)
	if !br.HasLogo() || br.LogoType != "image/png" || br.LogoUpdatedAt.IsZero() {
		t.Errorf("branding after logo = %+v, want logo type and time", br)
	}

	// Saving the texts keeps the logo; B's logo is separate.
	br.CompanyName = "A Inc"
	noErr(t, "UpsertBranding", s.UpsertBranding(c, &br))
	_, data, err = s.GetBrandingLogo(c, a.ID)
	noErr(t, "GetBrandingLogo after upsert", err)
	if !bytes.Equal(data, png) {
		t.Error("UpsertBranding lost the logo")
	}
	_, _, err = s.GetBrandingLogo(c, b.ID)
	wantErr(t, "GetBrandingLogo(B)", err, model.ErrNotFound)

	noErr(t, "SetBrandingLogo(nil)", s.SetBrandingLogo(c, a.ID, "image/png", nil))
	_, _, err = s.GetBrandingLogo(c, a.ID)
	wantErr(t, "GetBrandingLogo after removal", err, model.ErrNotFound)
	br, err = s.GetBranding(c, a.ID)
	noErr(t, "GetBranding after removal", err)
	if br.HasLogo() || !br.LogoUpdatedAt.IsZero() || br.CompanyName != "A Inc" {
		t.Errorf("branding after logo removal = %+v, want no logo, texts kept", br)
	}
	err = s.SetBrandingLogo(c, model.NewID(model.PrefixTenant), "image/png", png)
	wantErr(t, "SetBrandingLogo(unknown tenant)", err, model.ErrNotFound)
}
