package api

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"faxgate/internal/document"
	"faxgate/internal/document/cover"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/phone"
	"faxgate/internal/tenancy"
	"faxgate/internal/tz"
)

// CoverOverrides replace saved cover page settings in a preview (nil: the
// saved value), so that a form shows the page as it would look if saved;
// Subject and Comments are those of a fax.
type CoverOverrides struct {
	SenderName, Company, Phone, Email, Comments, Subject *string
	ShowLogo                                             *bool
	Quality                                              model.Quality // "" = fine
}

// coverPreviewParams are the query parameters of the cover page preview.
var coverPreviewParams = []string{"subject", "comments", "sender_name", "company", "phone", "email", "show_logo", "quality"}

// Preview text limits: a cover page shows far less than this anyway; the
// limits only bound the work of a request.
const (
	maxPreviewField    = 200
	maxPreviewComments = model.MaxCoverCommentsLen
)

// CoverOverridesFromQuery reads the preview's query parameters, bounded.
func CoverOverridesFromQuery(v url.Values) (CoverOverrides, error) {
	var o CoverOverrides
	v2 := &model.ValidationError{}
	text := func(name string, limit int) *string {
		vals, ok := v[name]
		if !ok {
			return nil
		}
		s := strings.Join(vals, " ")
		if !utf8.ValidString(s) {
			v2.Add(name, "must be UTF-8 text")
		}
		if utf8.RuneCountInString(s) > limit {
			v2.Add(name, "is too long")
		}
		return &s
	}
	o.SenderName = text("sender_name", maxPreviewField)
	o.Company = text("company", maxPreviewField)
	o.Phone = text("phone", maxPreviewField)
	o.Email = text("email", maxPreviewField)
	o.Subject = text("subject", maxPreviewField)
	o.Comments = text("comments", maxPreviewComments)
	if s := v.Get("show_logo"); s != "" {
		b := s == "true" || s == "on" || s == "1"
		if !b && s != "false" && s != "0" {
			v2.Add("show_logo", "must be true or false")
		}
		o.ShowLogo = &b
	}
	if s := v.Get("quality"); s != "" {
		if o.Quality = model.Quality(s); !o.Quality.Valid() {
			v2.Add("quality", "must be standard, fine or superfine")
		}
	}
	if len(v2.Fields) > 0 {
		return o, v2
	}
	return o, nil
}

// Sample recipient of previews.
const (
	sampleToName    = "Sample Recipient"
	sampleToCompany = "Example Company"
	sampleToFax     = "+12025550143"
	sampleSubject   = "Sample subject"
	samplePages     = 2
)

// CoverPreview draws the tenant's cover page with its saved settings (and
// logo), the overrides applied, for a sample recipient, and returns it as
// a PNG with square pixels. The actor needs read access to the settings
// (tenantID "" = the actor's own tenant).
func CoverPreview(ctx context.Context, ten *tenancy.Service, actor model.Actor, tenantID string, o CoverOverrides) ([]byte, error) {
	cs, err := ten.GetCoverPage(ctx, actor, tenantID)
	if err != nil {
		return nil, err
	}
	fs, err := ten.GetFaxSettings(ctx, actor, cs.TenantID)
	if err != nil {
		return nil, err
	}
	t, err := ten.GetTenant(ctx, actor, cs.TenantID)
	if err != nil {
		return nil, err
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&cs.SenderName, o.SenderName)
	set(&cs.Company, o.Company)
	set(&cs.Phone, o.Phone)
	set(&cs.Email, o.Email)
	set(&cs.Comments, o.Comments)
	if o.ShowLogo != nil {
		cs.ShowLogo = *o.ShowLogo
	}
	subject := sampleSubject
	set(&subject, o.Subject)
	company := cs.Company
	if company == "" {
		company = t.Name
	}
	c := cover.Cover{
		CompanyName: company,
		ToName:      sampleToName, ToCompany: sampleToCompany, ToFax: phone.FormatInternational(sampleToFax),
		FromName: cs.SenderName, FromCompany: company, FromPhone: cs.Phone, FromEmail: cs.Email,
		FromFax: phone.FormatInternational(fs.DefaultCallerID),
		Date:    time.Now(), Subject: subject, Pages: samplePages, Comments: cs.Comments,
	}
	if loc, err := tz.Load(fs.TimeZone); err == nil && fs.TimeZone != "" {
		c.Location = loc
	}
	if cs.ShowLogo {
		if _, data, err := ten.Logo(ctx, cs.TenantID); err == nil {
			c.Logo, _ = cover.DecodeLogo(data) // an SVG logo is not printed
		}
	}
	res := faxtiff.Fine
	switch o.Quality {
	case model.QualityStandard:
		res = faxtiff.Standard
	case model.QualitySuperfine:
		res = faxtiff.Superfine
	}
	p, err := cover.Render(c, res, cover.A4)
	if err != nil {
		return nil, err
	}
	return document.Preview(p)
}
