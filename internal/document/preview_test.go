package document

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
	"faxgate/internal/telephony/linesim"
	"faxgate/internal/telephony/t30"
)

// halfPage returns a page whose top half is black.
func halfPage(r faxtiff.Resolution) *faxtiff.Page {
	p := faxtiff.NewPage(1728, r.A4Rows(), r)
	for i := range p.Pix[:len(p.Pix)/2/p.Stride*p.Stride] {
		p.Pix[i] = 0xFF
	}
	return p
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestPreviewAspect: previews have square pixels, whatever the resolution:
// an A4 page is 1728 × about 2380 at every quality.
func TestPreviewAspect(t *testing.T) {
	for _, r := range resolutions {
		t.Run(r.String(), func(t *testing.T) {
			p := halfPage(r)
			img := decodePNG(t, must(Preview(p)))
			b := img.Bounds()
			if b.Dx() != 1728 || b.Dy() < 2375 || b.Dy() > 2390 {
				t.Fatalf("preview %v, want 1728 × 2380 (square pixels)", b.Size())
			}
			// The black half is still the top half.
			for _, y := range []int{10, b.Dy()/2 - 5, b.Dy()/2 + 5, b.Dy() - 10} {
				g := color.GrayModel.Convert(img.At(900, y)).(color.Gray).Y
				if wantBlack := y < b.Dy()/2; (g < 128) != wantBlack {
					t.Errorf("row %d has grey %d", y, g)
				}
			}
			if r != faxtiff.Superfine {
				if _, ok := img.(*image.Paletted); !ok {
					t.Errorf("standard/fine preview is %T, want a two-colour image", img)
				}
			}
			th := decodePNG(t, must(Thumbnail(p, 200)))
			if s := th.Bounds().Size(); s.X != 200 || s.Y < 274 || s.Y > 277 {
				t.Errorf("thumbnail %v, want 200 × 275", s)
			}
			// A black/white edge averaged: grey only on the boundary row.
			if g := color.GrayModel.Convert(th.At(100, 5)).(color.Gray).Y; g != 0 {
				t.Errorf("thumbnail black area has grey %d", g)
			}
		})
	}
	if _, err := Thumbnail(nil, 100); err == nil {
		t.Error("Thumbnail(nil) succeeded")
	}
}

// TestPreviewRefusesBadPages: pages whose fields do not match their pixels
// are errors, not panics.
func TestPreviewRefusesBadPages(t *testing.T) {
	short := faxtiff.NewPage(1728, 10, faxtiff.Fine)
	short.Pix = short.Pix[:50]
	narrow := faxtiff.NewPage(1728, 10, faxtiff.Fine)
	narrow.Stride = 100
	for name, p := range map[string]*faxtiff.Page{"nil": nil, "empty": faxtiff.NewPage(0, 0, faxtiff.Fine), "short": short, "stride": narrow} {
		if _, err := Preview(p); err == nil {
			t.Errorf("%s page: no error", name)
		}
		if _, err := Thumbnail(p, 100); err == nil {
			t.Errorf("%s page: thumbnail without error", name)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestRoundTripLoopback sends a converted document (text, PDF, photo)
// through the real fax engine over the simulated line; the receiver's
// pages must be pixel-identical to what was converted.
func TestRoundTripLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("engine loopback in -short mode")
	}
	pdf := buildPDF([]testPage{{w: ptLetter[0], h: ptLetter[1], content: textContent(ptLetter[0], ptLetter[1], 11, "Round trip through the fax engine.")}}, nil)
	for _, tc := range []struct {
		res       faxtiff.Resolution
		transport linesim.Transport
	}{{faxtiff.Fine, linesim.T38}, {faxtiff.Standard, linesim.G711}} {
		t.Run(tc.res.String()+"/"+string(tc.transport), func(t *testing.T) {
			dir := t.TempDir()
			tx, rx := filepath.Join(dir, "tx.tif"), filepath.Join(dir, "rx.tif")
			in := []Input{BytesInput("cover.txt", []byte("To: Round trip\nPages: 3\n")), BytesInput("doc.pdf", pdf), BytesInput("photo.png", withPHYs(encodePNG(t, photo(240, 180)), 150))}
			res, err := converter(t).ConvertFile(context.Background(), in, Options{Resolution: tc.res}, tx)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			o, err := linesim.Run(ctx, linesim.Config{Transport: tc.transport, Redundancy: 3},
				t30.Options{Direction: t30.Send, TxFile: tx, ECM: true, LocalIdent: "+15550100001"},
				t30.Options{Direction: t30.Receive, RxFile: rx, ECM: true, LocalIdent: "+15550100002"})
			if err != nil {
				t.Fatal(err)
			}
			if !o.OK() || o.Answerer.PagesRx != len(res.Pages) {
				t.Fatalf("call failed: caller %+v answerer %+v", o.Caller, o.Answerer)
			}
			got, err := faxtiff.ReadFile(rx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(res.Pages) {
				t.Fatalf("received %d pages, sent %d", len(got), len(res.Pages))
			}
			for i := range got {
				if d := faxtiff.Equal(got[i], res.Pages[i]); d != 0 {
					t.Errorf("page %d: %d pixels differ after the call", i+1, d)
				}
			}
			t.Logf("%d pages, %v simulated, %d bit/s", len(got), o.SimTime, o.Caller.BitRate)
		})
	}
}
