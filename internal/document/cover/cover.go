package cover

import (
	"fmt"
	"image"
	"math"
	"time"

	"faxgate/internal/faxtiff"
)

// Paper is the length of the generated page; the width is always 1728
// pixels (215 mm at 204 dpi).
type Paper int

const (
	A4     Paper = iota // 297 mm
	Letter              // 11 in
)

// String returns "a4" or "letter".
func (p Paper) String() string {
	switch p {
	case A4:
		return "a4"
	case Letter:
		return "letter"
	}
	return fmt.Sprintf("Paper(%d)", int(p))
}

// Rows returns the page length in rows at res. A4 uses faxtiff's
// 1143/2287/4574; Letter is 279.4 mm at the T.4 line densities of 3.85,
// 7.7 and 15.4 lines/mm (1076, 2151, 4303), computed the same way.
func (p Paper) Rows(res faxtiff.Resolution) int {
	if p == Letter {
		perMM := map[faxtiff.Resolution]float64{faxtiff.Standard: 3.85, faxtiff.Fine: 7.7, faxtiff.Superfine: 15.4}[res]
		return int(math.Round(279.4 * perMM))
	}
	return res.A4Rows()
}

// DefaultDateFormat is used when Cover.DateFormat is empty.
const DefaultDateFormat = "2 January 2006, 15:04 MST"

// Cover is the content of a cover page. Every text field is optional and
// may be of any length: long values wrap within their box and are cut
// with an ellipsis when they would not fit. Characters the embedded Go
// fonts lack (Hebrew, Arabic, CJK) are drawn from system fallback fonts
// when installed (package glyph), right-to-left text in its reading order
// (Arabic letters unjoined); characters no font has print as '?'.
type Cover struct {
	CompanyName string      // header, next to the logo
	Logo        image.Image // optional; scaled into a 2.1 × 0.75 in box, at most MaxLogoPixels

	ToName, ToCompany, ToFax string

	FromName, FromCompany, FromPhone, FromFax, FromEmail string

	Date       time.Time      // zero: the date line is left blank
	Location   *time.Location // time zone the date is shown in; nil = UTC
	DateFormat string         // Go time layout; "" = DefaultDateFormat

	Subject string

	// Pages is the number of pages of the document, not counting the
	// cover. The page shows Pages+1 "including cover" by default, or
	// Pages "excluding cover" when ExcludeCover is set.
	Pages        int
	ExcludeCover bool

	Comments string // several lines; blank lines separate paragraphs
	Footer   string // small print at the bottom, e.g. a confidentiality notice

	Labels Labels // wording of the fixed texts; empty fields are English
}

// Labels are the fixed words of the page, for tenants that fax in other
// languages. Any empty field takes the English default.
type Labels struct {
	Title, To, From, Fax, Phone, Email, Date, Pages, Subject, Comments string
	IncludingCover, ExcludingCover                                     string
}

var english = Labels{
	Title: "FAX", To: "To", From: "From", Fax: "Fax", Phone: "Phone", Email: "Email",
	Date: "Date", Pages: "Pages", Subject: "Subject", Comments: "Comments",
	IncludingCover: "including cover", ExcludingCover: "excluding cover",
}

// withDefaults fills the empty labels from English.
func (l Labels) withDefaults() Labels {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&l.Title, english.Title)
	def(&l.To, english.To)
	def(&l.From, english.From)
	def(&l.Fax, english.Fax)
	def(&l.Phone, english.Phone)
	def(&l.Email, english.Email)
	def(&l.Date, english.Date)
	def(&l.Pages, english.Pages)
	def(&l.Subject, english.Subject)
	def(&l.Comments, english.Comments)
	def(&l.IncludingCover, english.IncludingCover)
	def(&l.ExcludingCover, english.ExcludingCover)
	return l
}

// pagesText is the value of the Pages field.
func (c *Cover) pagesText(l Labels) string {
	if c.ExcludeCover {
		return fmt.Sprintf("%d (%s)", c.Pages, l.ExcludingCover)
	}
	return fmt.Sprintf("%d (%s)", c.Pages+1, l.IncludingCover)
}

// dateText is the value of the Date field.
func (c *Cover) dateText() string {
	if c.Date.IsZero() {
		return ""
	}
	loc, layout := c.Location, c.DateFormat
	if loc == nil {
		loc = time.UTC
	}
	if layout == "" {
		layout = DefaultDateFormat
	}
	return c.Date.In(loc).Format(layout)
}

func (c *Cover) check(res faxtiff.Resolution, paper Paper) error {
	switch {
	case res != faxtiff.Standard && res != faxtiff.Fine && res != faxtiff.Superfine:
		return fmt.Errorf("cover: unknown resolution %d", int(res))
	case paper != A4 && paper != Letter:
		return fmt.Errorf("cover: unknown paper %d", int(paper))
	case c.Pages < 0:
		return fmt.Errorf("cover: negative page count %d", c.Pages)
	}
	if c.Logo != nil {
		b := c.Logo.Bounds()
		if int64(b.Dx())*int64(b.Dy()) > MaxLogoPixels {
			return fmt.Errorf("cover: the logo is %d×%d pixels; at most %d million pixels are accepted", b.Dx(), b.Dy(), MaxLogoPixels>>20)
		}
	}
	return nil
}

// Render draws the cover page as a 1728-pixel-wide fax page at res on
// paper.
func Render(c Cover, res faxtiff.Resolution, paper Paper) (*faxtiff.Page, error) {
	p, _, err := render(c, res, paper)
	return p, err
}

// render also returns where each part of the page went, in pixels.
func render(c Cover, res faxtiff.Resolution, paper Paper) (*faxtiff.Page, map[string]image.Rectangle, error) {
	if err := c.check(res, paper); err != nil {
		return nil, nil, err
	}
	fonts, err := parsedFonts()
	if err != nil {
		return nil, nil, err
	}
	cv := newCanvas(faxtiff.WidthA4, paper.Rows(res), faxtiff.XDPI, res.LPI())
	regions := layout(cv, fonts, &c)
	return cv.page(res, threshold), regions, nil
}

// threshold is the ink coverage (of 255) at which a pixel turns black:
// half. Lower thresholds keep hairlines at 98 lpi but close the gap
// under the dot of an i and inside small e's; half, with baselines on
// whole rows, keeps both at 8.5 pt and up.
const threshold = 128
