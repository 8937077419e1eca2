package faxin_test

import (
	"bytes"
	"errors"
	"image/png"
	"io"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/faxin"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TestPageImage: thumbnails and previews of a received fax's pages are
// real PNGs of the right width, visible only to who sees the fax, and
// gone with the fax.
func TestPageImage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, false)
		d := e.routed(t, "+12025550401", e.W.A.ID, e.W.UserA.ID)
		f := e.quick(t, d, 2)
		empty := e.quick(t, d, 0)
		tests := []struct {
			name  string
			actor model.Actor
			id    string
			page  int
			kind  faxin.ImageKind
			width int   // of the PNG when no error
			err   error // wanted error
		}{
			{"user thumb page 1", e.W.UserAActor, f.ID, 1, faxin.Thumbnail, faxin.ThumbnailWidth, nil},
			{"tenant preview page 2", e.W.TenantAActor, f.ID, 2, faxin.Preview, 1728, nil},
			{"cached thumb", e.W.UserAActor, f.ID, 1, faxin.Thumbnail, faxin.ThumbnailWidth, nil},
			{"page 3 of 2", e.W.UserAActor, f.ID, 3, faxin.Thumbnail, 0, model.ErrNotFound},
			{"page 0", e.W.UserAActor, f.ID, 0, faxin.Thumbnail, 0, model.ErrNotFound},
			{"no pages", e.W.UserAActor, empty.ID, 1, faxin.Thumbnail, 0, faxin.ErrNoPages},
			{"other tenant", e.W.TenantBActor, f.ID, 1, faxin.Thumbnail, 0, model.ErrNotFound},
			{"other tenant's user", e.W.UserBActor, f.ID, 1, faxin.Preview, 0, model.ErrNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				img, err := e.Svc.PageImage(e.Ctx, tc.actor, tc.id, tc.page, tc.kind)
				if tc.err != nil {
					if !errors.Is(err, tc.err) {
						t.Fatalf("err = %v, want %v", err, tc.err)
					}
					return
				}
				authtest.Must(t, "PageImage", err)
				defer img.Body.Close()
				b, err := io.ReadAll(img.Body)
				authtest.Must(t, "read", err)
				cfg, err := png.DecodeConfig(bytes.NewReader(b))
				authtest.Must(t, "decode PNG", err)
				if img.ContentType != "image/png" || cfg.Width != tc.width || cfg.Height < cfg.Width {
					t.Fatalf("%s %dx%d, want a portrait PNG %d wide", img.ContentType, cfg.Width, cfg.Height, tc.width)
				}
			})
		}
		if _, err := e.Svc.PageImage(e.Ctx, e.W.UserAActor, f.ID, 1, "huge"); err == nil {
			t.Fatal("unknown kind accepted")
		}
		authtest.Must(t, "Delete", e.Svc.Delete(e.Ctx, e.W.UserAActor, f.ID))
		if _, err := e.Blobs.Stat(e.Ctx, "t/"+f.TenantID+"/fax/"+f.ID+"/thumb-1.png"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("cached thumbnail after delete: %v", err)
		}
	})
}
