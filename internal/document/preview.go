package document

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"

	"faxgate/internal/faxtiff"
)

// Previews show a fax page with its true proportions (this is the one PNG
// rendering of fax pages: document pages, received faxes and cover pages): fax pixels are
// 1/204 inch wide but 1/98, 1/196 or 1/391 inch tall, so a page drawn one
// pixel per fax pixel would look stretched (superfine) or squashed
// (standard). Both previews rescale the height to square pixels at 204 dpi.

// Thumbnail returns a PNG of page p, maxW pixels wide at most (never
// enlarged), in grey: black and white pixels averaged in linear light, as
// the eye averages them on paper.
func Thumbnail(p *faxtiff.Page, maxW int) ([]byte, error) {
	if err := checkPreviewPage(p); err != nil {
		return nil, err
	}
	if maxW <= 0 {
		return nil, errors.New("document: thumbnail width must be positive")
	}
	w := min(maxW, p.Width)
	h := max(1, int(math.Round(float64(squareRows(p))*float64(w)/float64(p.Width))))
	src := pageGray(p)
	dst := newGray(w, h)
	dst.fillWhite()
	newResampler(src, false, 0, 0, w, h).drawBand(context.Background(), dst, 0)
	return encodeGray(dst)
}

// Preview returns a PNG of what the recipient gets, at full width (one
// image pixel per fax pixel across) and square pixels: standard and fine
// rows are repeated as a fax printer does (so the 1-bit look is kept, as a
// two-colour PNG); superfine rows, finer than 204 dpi, are averaged into
// grey.
func Preview(p *faxtiff.Page) ([]byte, error) {
	if err := checkPreviewPage(p); err != nil {
		return nil, err
	}
	h := squareRows(p)
	if h < p.Height { // superfine: average rows
		src := pageGray(p)
		dst := newGray(p.Width, h)
		dst.fillWhite()
		newResampler(src, false, 0, 0, p.Width, h).drawBand(context.Background(), dst, 0)
		return encodeGray(dst)
	}
	img := image.NewPaletted(image.Rect(0, 0, p.Width, h), color.Palette{color.White, color.Black})
	for y := range h {
		src := p.Row(min(p.Height-1, y*p.Height/h))
		dst := img.Pix[y*img.Stride : y*img.Stride+p.Width]
		for x := range dst {
			dst[x] = (src[x>>3] >> (7 - uint(x&7))) & 1
		}
	}
	var buf bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	return buf.Bytes(), err
}

func checkPreviewPage(p *faxtiff.Page) error {
	if p == nil || p.Width <= 0 || p.Height <= 0 || !(p.XDPI > 0) || !(p.YDPI > 0) ||
		p.Stride < (p.Width+7)/8 || len(p.Pix) < p.Stride*p.Height {
		return errors.New("document: not a valid fax page")
	}
	return nil
}

// squareRows is the page height in pixels as tall as XDPI pixels are wide.
func squareRows(p *faxtiff.Page) int {
	return max(1, int(math.Round(float64(p.Height)*p.XDPI/p.YDPI)))
}

// pageGray expands a 1-bit page to grey.
func pageGray(p *faxtiff.Page) *gray {
	g := newGray(p.Width, p.Height)
	for y := range p.Height {
		src, dst := p.Row(y), g.row(y)
		for x := range dst {
			if src[x>>3]&(0x80>>uint(x&7)) == 0 {
				dst[x] = 255
			}
		}
	}
	return g
}

func encodeGray(g *gray) ([]byte, error) {
	img := &image.Gray{Pix: g.pix, Stride: g.stride, Rect: image.Rect(0, 0, g.w, g.h)}
	var buf bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	return buf.Bytes(), err
}
