package faxin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"faxgate/internal/blob"
	"faxgate/internal/document"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
)

// ImageKind is a kind of page image of a received fax.
type ImageKind string

const (
	// Thumbnail is a small grey PNG of a page (ThumbnailWidth wide), for
	// the inbox list and the page grid.
	Thumbnail ImageKind = "thumb"
	// Preview is the page as it arrived, a PNG 1728 pixels wide with rows
	// scaled to the page's true aspect.
	Preview ImageKind = "preview"
)

// ThumbnailWidth is the width of thumbnails in pixels.
const ThumbnailWidth = 200

// Valid reports whether k is a known kind.
func (k ImageKind) Valid() bool { return k == Thumbnail || k == Preview }

// PageImage returns the PNG thumbnail or preview of page (1-based) of a
// received fax the actor may see. Images are rendered from the stored
// TIFF-F on first request and cached next to it in the blob store (so
// deleting the fax or the retention purge removes them too). A purged fax
// answers model.ErrGone, a fax without pages ErrNoPages, an unknown page
// model.ErrNotFound.
func (s *Service) PageImage(ctx context.Context, actor model.Actor, id string, page int, kind ImageKind) (File, error) {
	if !kind.Valid() {
		return File{}, model.Invalid("kind", "must be thumb or preview")
	}
	f, err := s.visible(ctx, actor, id)
	if err != nil {
		return File{}, err
	}
	switch {
	case f.Purged():
		return File{}, fmt.Errorf("%w: the fax's pages were removed by the retention period", model.ErrGone)
	case f.FileKey == "":
		return File{}, ErrNoPages
	case page < 1 || page > f.Pages:
		return File{}, fmt.Errorf("%w: the fax has %d pages", model.ErrNotFound, f.Pages)
	}
	key := blob.Join(faxKey(f.TenantID, f.ID), fmt.Sprintf("%s-%d.png", kind, page))
	out, err := s.openPNG(ctx, key, f, page, kind)
	if errors.Is(err, model.ErrNotFound) {
		if err := s.renderPage(ctx, f, page, kind, key); err != nil {
			return File{}, err
		}
		out, err = s.openPNG(ctx, key, f, page, kind)
	}
	return out, err
}

func (s *Service) openPNG(ctx context.Context, key string, f model.InboundFax, page int, kind ImageKind) (File, error) {
	info, err := s.blob.Stat(ctx, key)
	if err != nil {
		return File{}, err
	}
	rc, err := s.blob.Open(ctx, key)
	if err != nil {
		return File{}, err
	}
	return File{Name: fmt.Sprintf("fax-%s-page-%d-%s.png", f.ID, page, kind), ContentType: "image/png",
		Size: info.Size, ModTime: info.ModTime, Body: rc}, nil
}

// errPageDone ends the page scan once the page is rendered.
var errPageDone = errors.New("page rendered")

// renderPage renders one page image from the stored TIFF and caches it.
func (s *Service) renderPage(ctx context.Context, f model.InboundFax, page int, kind ImageKind, key string) error {
	p, release, err := s.blob.LocalPath(ctx, f.FileKey)
	if err != nil {
		return fmt.Errorf("faxin: pages of %s: %w", f.ID, err)
	}
	defer release()
	file, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("faxin: %w", err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return fmt.Errorf("faxin: %w", err)
	}
	err = faxtiff.ReadEach(file, st.Size(), func(i int, pg *faxtiff.Page) error {
		if i+1 != page {
			return nil
		}
		var png []byte
		var rerr error
		if kind == Thumbnail {
			png, rerr = document.Thumbnail(pg, ThumbnailWidth)
		} else {
			png, rerr = document.Preview(pg)
		}
		if rerr != nil {
			return rerr
		}
		if _, rerr = s.blob.Put(context.WithoutCancel(ctx), key, bytes.NewReader(png)); rerr != nil {
			return rerr
		}
		return errPageDone
	})
	switch {
	case errors.Is(err, errPageDone):
		return nil
	case err != nil:
		return fmt.Errorf("faxin: rendering page %d of %s: %w", page, f.ID, err)
	}
	return fmt.Errorf("%w: page %d is not in the stored file", model.ErrNotFound, page)
}
