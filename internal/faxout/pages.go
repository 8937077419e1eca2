package faxout

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // branding logos
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"time"

	"faxgate/internal/document/cover"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/phone"
	"faxgate/internal/telephony/t30"
)

// sendable is the file a call sends and what it prints.
type sendable struct {
	path       string
	pages      int
	stationID  string
	headerInfo string
	release    func()
}

// prepare finds the fax's document in the blob store and, when the fax asks
// for one, puts a cover page in front of it (in a temporary file). The
// error wraps errDocument when the document cannot be sent at all.
func (s *Service) prepare(ctx context.Context, f model.Fax, tenant model.Tenant, ts tenantSettings) (sendable, error) {
	doc, err := s.st.GetDocument(ctx, model.TenantScope(f.TenantID), f.DocumentID)
	if err != nil {
		return sendable{}, fmt.Errorf("%w: document %s: %w", errDocument, f.DocumentID, err)
	}
	if !doc.Ready() {
		return sendable{}, fmt.Errorf("%w: document %q is %s", errDocument, doc.Name, doc.Status)
	}
	path, release, err := s.blob.LocalPath(ctx, doc.FileKey)
	if err != nil {
		return sendable{}, fmt.Errorf("%w: document %q: %w", errDocument, doc.Name, err)
	}
	out := sendable{path: path, pages: doc.Pages, release: release,
		stationID: stationID(f, ts.fax), headerInfo: headerInfo(f, tenant, ts.fax)}
	if !f.CoverPage.Enabled {
		return out, nil
	}
	withCover, n, err := s.prependCover(ctx, f, tenant, ts, path)
	release()
	if err != nil {
		return sendable{}, fmt.Errorf("%w: cover page: %w", errDocument, err)
	}
	out.path, out.pages = withCover, n
	out.release = func() { os.RemoveAll(filepath.Dir(withCover)) }
	return out, nil
}

// prependCover writes the cover page and the document's pages into a new
// temporary TIFF-F file and returns it with its page count.
func (s *Service) prependCover(ctx context.Context, f model.Fax, tenant model.Tenant, ts tenantSettings, docPath string) (string, int, error) {
	dir, err := os.MkdirTemp("", "faxout-")
	if err != nil {
		return "", 0, err
	}
	out := filepath.Join(dir, "send.tif")
	n, err := writeWithCover(ctx, docPath, out, func(pages int, res faxtiff.Resolution) (*faxtiff.Page, error) {
		return cover.Render(s.coverContent(ctx, f, tenant, ts, pages), res, cover.A4)
	})
	if err != nil {
		os.RemoveAll(dir)
		return "", 0, err
	}
	return out, n, nil
}

// writeWithCover writes to out a TIFF-F file of a cover page followed by
// the pages of the TIFF-F document at docPath, and returns its page count.
// render draws the cover for the document's page count at the resolution
// of its first page. The document is streamed: its pages' T.6 strips are
// copied as stored (faxtiff.RawPage.G4), one at a time, and a page stored
// otherwise (not a single MinIsWhite T.6 strip) is decoded and coded
// again on its own, so memory holds the cover and one page whatever the
// document's length (the whole document as pixels was 100 MB for 200 fine
// pages; docs/benchmarks.md). The strips are not decoded: documents are
// our converter's own output, and a fax without a cover page sends that
// file as it is.
func writeWithCover(ctx context.Context, docPath, out string, render func(pages int, res faxtiff.Resolution) (*faxtiff.Page, error)) (int, error) {
	doc, err := os.Open(docPath)
	if err != nil {
		return 0, err
	}
	defer doc.Close()
	st, err := doc.Stat()
	if err != nil {
		return 0, err
	}
	// First pass: the page count and resolution, from the directories
	// alone.
	pages, res := 0, faxtiff.Fine
	if err := faxtiff.ReadEachRaw(doc, st.Size(), func(i int, p *faxtiff.RawPage) error {
		if i == 0 {
			res = (&faxtiff.Page{YDPI: p.YDPI}).Resolution()
		}
		pages++
		return nil
	}); err != nil {
		return 0, err
	}
	if pages == 0 {
		return 0, fmt.Errorf("the document has no pages")
	}
	page, err := render(pages, res)
	if err != nil {
		return 0, err
	}
	file, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	defer file.Close()
	w, err := faxtiff.NewPageWriter(file, pages+1)
	if err != nil {
		return 0, err
	}
	if err := w.WritePage(faxtiff.Encode(page)); err != nil {
		return 0, err
	}
	if err := faxtiff.ReadEachRaw(doc, st.Size(), func(i int, p *faxtiff.RawPage) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		e, ok := p.G4()
		if !ok {
			px, err := p.Decode()
			if err != nil {
				return err
			}
			e = faxtiff.Encode(px)
		}
		return w.WritePage(e)
	}); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	if err := file.Close(); err != nil {
		return 0, err
	}
	return pages + 1, nil
}

// coverContent fills the cover page from the fax and the tenant's cover
// page settings: sender details, the fax's subject (else its title) and
// comments (else the default comments), the date in the tenant's time
// zone, and the branding logo when the tenant shows it.
func (s *Service) coverContent(ctx context.Context, f model.Fax, tenant model.Tenant, ts tenantSettings, pages int) cover.Cover {
	cs := ts.cover
	company := firstNonEmpty(cs.Company, tenant.Name)
	c := cover.Cover{
		CompanyName: company,
		ToFax:       phone.FormatInternational(f.To),
		FromName:    cs.SenderName, FromCompany: company, FromPhone: cs.Phone,
		FromFax: phone.FormatInternational(f.CallerID), FromEmail: cs.Email,
		Date: s.clock(), Subject: firstNonEmpty(f.CoverPage.Subject, f.Title), Pages: pages,
		Comments: firstNonEmpty(f.CoverPage.Comments, cs.Comments),
	}
	if loc, err := time.LoadLocation(ts.fax.TimeZone); err == nil {
		c.Location = loc
	}
	if cs.ShowLogo {
		c.Logo = s.logo(ctx, f.TenantID)
	}
	return c
}

// logo decodes the tenant's branding logo (PNG or JPEG; an SVG logo is not
// printed), or returns nil.
func (s *Service) logo(ctx context.Context, tenantID string) image.Image {
	_, data, err := s.st.GetBrandingLogo(ctx, tenantID)
	if err != nil {
		return nil
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || int64(cfg.Width)*int64(cfg.Height) > cover.MaxLogoPixels {
		return nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	return img
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// stationID is the TSI: the tenant's station id, else the caller ID.
func stationID(f model.Fax, fs model.TenantFaxSettings) string {
	return asciiClip(firstNonEmpty(fs.StationID, f.CallerID), t30.MaxIdentLen)
}

// headerInfo is the text of the header line the engine prints on every
// page: who sends (the tenant's page header setting, else its name), from
// which number, and how many pages the fax has. The engine adds the date and time, the
// station id and "p.N", so each page reads e.g.
// "3-Dec-2026 14:05  ACME Corp  +1 202-555-0199  3 pages  +12025550199  p.2".
func headerInfo(f model.Fax, tenant model.Tenant, fs model.TenantFaxSettings) string {
	name := firstNonEmpty(fs.PageHeader, tenant.Name)
	tail := fmt.Sprintf("  %d pages", f.Pages)
	if f.Pages == 1 {
		tail = "  1 page"
	}
	if f.CallerID != "" {
		tail = "  " + phone.FormatInternational(f.CallerID) + tail
	}
	room := t30.MaxHeaderInfoLen - len(tail)
	return asciiClip(name, room) + tail
}

// asciiClip keeps printable ASCII (others become '?') and at most max
// bytes: the engine copies the bytes into fixed C arrays.
func asciiClip(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= max {
			break
		}
		if r < 0x20 || r > 0x7e {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}
