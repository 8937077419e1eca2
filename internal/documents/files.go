package documents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"faxgate/internal/blob"
	"faxgate/internal/document"
	"faxgate/internal/faxpdf"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
)

// ImageKind is a kind of page image.
type ImageKind string

const (
	// Thumbnail is a small grey PNG of a page (Config.ThumbnailWidth wide).
	Thumbnail ImageKind = "thumbnail"
	// Preview is the page as the recipient gets it, as a PNG: the fax's
	// own pixels, 1728 wide, rows scaled to the true aspect of the
	// quality's resolution (standard rows are about two pixels tall).
	Preview ImageKind = "preview"
)

// Valid reports whether k is a known kind.
func (k ImageKind) Valid() bool { return k == Thumbnail || k == Preview }

func (k ImageKind) file() string {
	if k == Thumbnail {
		return "thumb"
	}
	return "preview"
}

// File is a downloadable file: a page image, the TIFF or the PDF.
type File struct {
	Name        string // suggested file name (Content-Disposition)
	ContentType string
	Size        int64
	ModTime     time.Time
	// ETag is a strong validator: content under one ETag never changes
	// (a re-render gives new ETags), so responses may be cached.
	ETag string
	// Body must be closed. With the local blob store it is an *os.File,
	// so handlers can assert io.ReadSeeker for http.ServeContent.
	Body io.ReadCloser
}

// PageInfo describes one page of a ready document.
type PageInfo struct {
	Number int
	// ThumbnailETag and PreviewETag change when the document is rendered
	// again; put them in image URLs to defeat stale caches.
	ThumbnailETag string
	PreviewETag   string
}

// Pages lists the pages of a ready document; a document still processing
// or failed gives *NotReadyError.
func (s *Service) Pages(ctx context.Context, actor model.Actor, id string) (model.Document, []PageInfo, error) {
	d, err := s.readyDoc(ctx, actor, id)
	if err != nil {
		return model.Document{}, nil, err
	}
	pages := make([]PageInfo, d.Pages)
	for i := range pages {
		pages[i] = PageInfo{Number: i + 1, ThumbnailETag: etag(d, imageName(Thumbnail, i+1)),
			PreviewETag: etag(d, imageName(Preview, i+1))}
	}
	return d, pages, nil
}

func imageName(kind ImageKind, page int) string { return fmt.Sprintf("%s-%d", kind, page) }

// readyDoc returns a document the actor may see that has pages.
func (s *Service) readyDoc(ctx context.Context, actor model.Actor, id string) (model.Document, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return model.Document{}, err
	}
	if !d.Ready() {
		return model.Document{}, &NotReadyError{Status: d.Status, Reason: d.Error}
	}
	return d, nil
}

// PageImage returns the PNG thumbnail or preview of page (1-based) of a
// ready document. Images are rendered from the TIFF-F pages on first
// request and cached in the blob store (thumbnails are usually made by the
// conversion job already). An unknown page is model.ErrNotFound.
func (s *Service) PageImage(ctx context.Context, actor model.Actor, id string, page int, kind ImageKind) (File, error) {
	if !kind.Valid() {
		return File{}, model.Invalid("kind", "must be thumbnail or preview")
	}
	d, err := s.readyDoc(ctx, actor, id)
	if err != nil {
		return File{}, err
	}
	if page < 1 || page > d.Pages {
		return File{}, fmt.Errorf("%w: the document has %d pages", model.ErrNotFound, d.Pages)
	}
	key := imageKey(d, kind, page)
	name := fmt.Sprintf("%s-page-%d-%s.png", safeName(d.Name), page, kind)
	f, err := s.openFile(ctx, key, name, "image/png", etag(d, imageName(kind, page)))
	if !errors.Is(err, model.ErrNotFound) {
		return f, err
	}
	if err := s.renderImages(ctx, d, kind, page); err != nil {
		return File{}, err
	}
	return s.openFile(ctx, key, name, "image/png", etag(d, imageName(kind, page)))
}

// renderImages renders and caches images of d: every thumbnail in one pass
// (a page list asks for all of them), or the one preview asked for.
// Concurrent requests for the same images share one render.
func (s *Service) renderImages(ctx context.Context, d model.Document, kind ImageKind, page int) error {
	group := pagesKey(d) + "|" + string(kind)
	if kind == Preview {
		group += fmt.Sprint("|", page)
	}
	_, err, _ := s.render.Do(group, func() (any, error) {
		return nil, s.renderAndStore(context.WithoutCancel(ctx), d, kind, page)
	})
	return err
}

// errStop ends a page scan early.
var errStop = errors.New("stop")

func (s *Service) renderAndStore(ctx context.Context, d model.Document, kind ImageKind, page int) error {
	p, release, err := s.blobs.LocalPath(ctx, d.FileKey)
	if err != nil {
		return fmt.Errorf("documents: pages of %s: %w", d.ID, err)
	}
	defer release()
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	err = faxtiff.ReadEach(f, st.Size(), func(i int, pg *faxtiff.Page) error {
		n := i + 1
		switch {
		case kind == Thumbnail:
			return putPNG(ctx, s.blobs, imageKey(d, kind, n), func() ([]byte, error) {
				return document.Thumbnail(pg, s.cfg.ThumbnailWidth)
			})
		case n == page:
			if err := putPNG(ctx, s.blobs, imageKey(d, kind, n), func() ([]byte, error) { return document.Preview(pg) }); err != nil {
				return err
			}
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return fmt.Errorf("documents: rendering pages of %s: %w", d.ID, err)
	}
	s.dropIfStale(ctx, d)
	return nil
}

// dropIfStale deletes the images just cached for d if the document was
// deleted or rendered again meanwhile.
func (s *Service) dropIfStale(ctx context.Context, d model.Document) {
	dropStale(ctx, s.st, s.blobs, s.logger, d)
}

// putPNG renders and stores one image.
func putPNG(ctx context.Context, blobs blob.Store, key string, render func() ([]byte, error)) error {
	b, err := render()
	if err != nil {
		return err
	}
	_, err = blobs.Put(ctx, key, bytes.NewReader(b))
	return err
}

// Download formats.
const (
	FormatTIFF = "tiff"
	FormatPDF  = "pdf"
)

// Download returns a ready document's pages as TIFF-F (exactly what is
// sent) or as PDF (the same G4 pages, embedded as they are; made on first
// request and cached).
func (s *Service) Download(ctx context.Context, actor model.Actor, id, format string) (File, error) {
	format = strings.ToLower(format)
	if format == "tif" {
		format = FormatTIFF
	}
	if format != FormatTIFF && format != FormatPDF {
		return File{}, model.Invalid("format", "must be pdf or tiff")
	}
	d, err := s.readyDoc(ctx, actor, id)
	if err != nil {
		return File{}, err
	}
	if format == FormatTIFF {
		return s.openFile(ctx, d.FileKey, safeName(d.Name)+".tif", "image/tiff", etag(d, "tiff"))
	}
	key, name := pdfKey(d), safeName(d.Name)+".pdf"
	f, err := s.openFile(ctx, key, name, "application/pdf", etag(d, "pdf"))
	if !errors.Is(err, model.ErrNotFound) {
		return f, err
	}
	_, err, _ = s.render.Do(key, func() (any, error) { return nil, s.makePDF(context.WithoutCancel(ctx), d) })
	if err != nil {
		return File{}, err
	}
	return s.openFile(ctx, key, name, "application/pdf", etag(d, "pdf"))
}

// makePDF converts the TIFF-F pages to the cached PDF.
func (s *Service) makePDF(ctx context.Context, d model.Document) error {
	p, release, err := s.blobs.LocalPath(ctx, d.FileKey)
	if err != nil {
		return fmt.Errorf("documents: pages of %s: %w", d.ID, err)
	}
	defer release()
	meta := faxpdf.Meta{Title: d.Name, Subject: d.Description, Creator: "faxgate documents"}
	_, err = putFrom(ctx, s.blobs, pdfKey(d), func(w io.Writer) error { return faxpdf.FromTIFF(w, p, meta) })
	if err != nil {
		return fmt.Errorf("documents: PDF of %s: %w", d.ID, err)
	}
	s.dropIfStale(ctx, d)
	return nil
}

// openFile opens a blob as a File.
func (s *Service) openFile(ctx context.Context, key, name, contentType, tag string) (File, error) {
	info, err := s.blobs.Stat(ctx, key)
	if err != nil {
		return File{}, err
	}
	body, err := s.blobs.Open(ctx, key)
	if err != nil {
		return File{}, err
	}
	return File{Name: name, ContentType: contentType, Size: info.Size, ModTime: info.ModTime, ETag: tag, Body: body}, nil
}

// safeName turns a document name into a file name for downloads: letters,
// digits and a few marks kept, the rest "_", at most 80 bytes.
func safeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.()", r)):
			b.WriteRune(r)
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 80 {
			break
		}
	}
	out := strings.Trim(b.String(), "._")
	if out == "" {
		return "document"
	}
	return out
}
