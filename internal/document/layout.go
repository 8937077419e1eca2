package document

import (
	"context"
	"math"

	"faxgate/internal/faxtiff"
)

// Page geometry.
//
// A fax row is 1728 pixels over 215 mm (T.4), about 8.04 pixels per mm
// (204 dpi); rows are 3.85, 7.7 or 15.4 per mm (98, 196, 391 lpi). Pixels are
// therefore not square (about 2:1 tall at standard), so every source is
// scaled separately along each axis to its physical size: an A4 page (210 ×
// 297 mm) becomes 1688 × 1143/2287/4574 pixels centred on the 1728-pixel
// row, Letter (215.9 × 279.4 mm) is shrunk by 0.4 % to the fax width and
// becomes 1728 × 1071/2142/4285, Legal 1728 × 1363/2727/5453.
//
// Sources wider than tall (landscape) are turned a quarter clockwise, so
// their top edge ends on the right and lines read from top to bottom.
// Sources are never cropped: wider than 215 mm they are shrunk to the fax
// width; narrower ones keep their size (their own margins are kept; nothing
// is enlarged except images of unknown size, see placeImage).
//
// Length: a page is as long as its source in proportion. Pages longer than
// maxLengthMM (B4, so Legal still goes in one piece) are split into pieces
// of at most splitLengthMM (A4), cut at a blank row near the ideal cut when
// there is one, so lines of text are not sliced.
const (
	pageWidth     = faxtiff.WidthA4
	faxWidthMM    = 215.0
	pxPerMM       = pageWidth / faxWidthMM
	mmPerPt       = 25.4 / 72
	maxLengthMM   = 364.0
	splitLengthMM = 297.0
	// cutSearch is how far (fraction of a piece) a cut may move to find a
	// blank row.
	cutSearch = 0.08
)

// linesPerMM returns the rows per millimetre of a resolution (T.4 values).
func linesPerMM(r faxtiff.Resolution) float64 {
	switch r {
	case faxtiff.Fine:
		return 7.7
	case faxtiff.Superfine:
		return 15.4
	}
	return 3.85
}

// Paper is the page size used for sources without one of their own: text
// files and images.
type Paper int

// Paper sizes.
const (
	A4 Paper = iota
	Letter
	Legal
)

// String returns "a4", "letter" or "legal".
func (p Paper) String() string {
	switch p {
	case Letter:
		return "letter"
	case Legal:
		return "legal"
	}
	return "a4"
}

// sizeMM returns the paper's width and length in millimetres.
func (p Paper) sizeMM() (w, h float64) {
	switch p {
	case Letter:
		return 215.9, 279.4
	case Legal:
		return 215.9, 355.6
	}
	return 210, 297
}

// sheetFit places a page of a known physical size on the fax width.
type sheetFit struct {
	rotate bool // turn a quarter clockwise
	offX   int  // left edge of the content
	cw, ch int  // content size in pixels (after rotation); ch is also the page length
}

// fitSheet fits a source page of w × h millimetres (as displayed).
func fitSheet(w, h float64, res faxtiff.Resolution) sheetFit {
	var f sheetFit
	if w > h {
		f.rotate = true
		w, h = h, w
	}
	s := math.Min(1, faxWidthMM/w)
	f.cw = clampInt(int(math.Round(w*s*pxPerMM)), 1, pageWidth)
	f.ch = max(1, int(math.Round(h*s*linesPerMM(res))))
	f.offX = (pageWidth - f.cw) / 2
	return f
}

func clampInt(v, lo, hi int) int { return min(max(v, lo), hi) }

// imageMarginMM is the margin kept around images placed on paper: T.4 only
// guarantees about 196 mm of the row to be reproduced, and printers do not
// print to the edge.
const imageMarginMM = 8.0

// imageFit places a raster image: where on the page, how large, and how
// long the page is.
type imageFit struct {
	rotate bool
	dx, dy int // top-left corner of the image on the page
	dw, dh int // image size on the page (after rotation)
	rows   int // page length
}

// placeImage decides where an image of pw × ph pixels goes. xdpi and ydpi
// are its resolution when the file states one (0 otherwise).
//
//   - An image whose stated size is about a page wide (its short side 180 to
//     220 mm: a scan, a fax) is a page: fitSheet, no margin added.
//   - A very tall image (more than 1.5 times the paper's proportion: a long
//     screenshot, a receipt) is fitted to the width between margins and
//     continues over as many pages as it needs.
//   - Anything else goes on one page of the chosen paper, between 8 mm
//     margins, at its stated size if that fits, else shrunk to fit; an image
//     without a stated size is scaled to fill the space.
func placeImage(pw, ph int, xdpi, ydpi float64, paper Paper, res faxtiff.Resolution) imageFit {
	known := xdpi > 0 && ydpi > 0
	w, h := float64(pw), float64(ph)
	if known {
		w, h = w/xdpi*25.4, h/ydpi*25.4
	}
	if short := math.Min(w, h); known && short >= 180 && short <= 220 {
		f := fitSheet(w, h, res)
		return imageFit{rotate: f.rotate, dx: f.offX, dw: f.cw, dh: f.ch, rows: f.ch}
	}
	var fit imageFit
	if w > h {
		fit.rotate = true
		w, h = h, w
	}
	lpmm := linesPerMM(res)
	paperW, paperH := paper.sizeMM()
	boxW := math.Min(paperW, faxWidthMM) - 2*imageMarginMM
	boxH := paperH - 2*imageMarginMM
	var s float64 // millimetres per source unit
	strip := h/w > 1.5*boxH/boxW
	if strip {
		s = boxW / w
	} else {
		s = math.Min(boxW/w, boxH/h)
	}
	if known {
		s = math.Min(s, 1)
	}
	fit.dw = clampInt(int(math.Round(w*s*pxPerMM)), 1, pageWidth)
	fit.dh = max(1, int(math.Round(h*s*lpmm)))
	fit.dx = (pageWidth - fit.dw) / 2
	fit.dy = int(math.Round(imageMarginMM * lpmm))
	fit.rows = int(math.Round(paperH * lpmm))
	if strip {
		fit.rows = max(fit.rows, fit.dh+2*fit.dy)
	}
	return fit
}

// maxRows returns the longest page sent in one piece.
func maxRows(res faxtiff.Resolution) int { return int(math.Round(maxLengthMM * linesPerMM(res))) }

// pieceRows returns the longest piece of a split page.
func pieceRows(res faxtiff.Resolution) int { return int(math.Round(splitLengthMM * linesPerMM(res))) }

// bandRenderer renders page rows [y0, y0+n) into a 1728-wide grey raster;
// release (if not nil) frees it after use.
type bandRenderer func(ctx context.Context, y0, n int) (g *gray, release func(), err error)

// paginate renders a page of the given length band by band, binarises it,
// and splits it when it is longer than maxRows. threshold is passed to
// binarize. emit receives each finished fax page in order.
func paginate(ctx context.Context, rows int, res faxtiff.Resolution, threshold uint8, render bandRenderer, emit func(*faxtiff.Page) error) error {
	limit, piece := maxRows(res), pieceRows(res)
	for y := 0; y < rows; {
		if err := ctx.Err(); err != nil {
			return err
		}
		left := rows - y
		if left <= limit {
			p, err := renderPiece(ctx, render, y, left, res, threshold)
			if err != nil {
				return err
			}
			return emit(p)
		}
		// Equal pieces of at most A4 length, each cut at a blank row near
		// its ideal end when one exists.
		n := (left + piece - 1) / piece
		target := (left + n - 1) / n
		slack := int(float64(target) * cutSearch)
		p, err := renderPiece(ctx, render, y, target+slack, res, threshold)
		if err != nil {
			return err
		}
		cut := blankRowNear(p, target, slack)
		if err := emit(cropRows(p, cut)); err != nil {
			return err
		}
		y += cut
	}
	return nil
}

// renderPiece renders and binarises rows [y0, y0+n).
func renderPiece(ctx context.Context, render bandRenderer, y0, n int, res faxtiff.Resolution, threshold uint8) (*faxtiff.Page, error) {
	g, release, err := render(ctx, y0, n)
	if err != nil {
		return nil, err
	}
	if release != nil {
		defer release()
	}
	p := faxtiff.NewPage(pageWidth, n, res)
	binarize(g, threshold, p)
	return p, nil
}

// blankRowNear returns the all-white row closest to target within ±slack,
// or target when there is none.
func blankRowNear(p *faxtiff.Page, target, slack int) int {
	for d := 0; d <= slack; d++ {
		for _, y := range []int{target - d, target + d} {
			if y > 0 && y < p.Height && rowBlank(p.Row(y)) {
				return y
			}
		}
	}
	return min(target, p.Height)
}

func rowBlank(r []byte) bool {
	for _, b := range r {
		if b != 0 {
			return false
		}
	}
	return true
}

// cropRows returns the first n rows of p (sharing its pixels).
func cropRows(p *faxtiff.Page, n int) *faxtiff.Page {
	c := *p
	c.Height = n
	c.Pix = p.Pix[:n*p.Stride]
	return &c
}
