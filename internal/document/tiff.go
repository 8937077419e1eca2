package document

import (
	"encoding/binary"
	"image"
	"image/color"
	"io"
	"math"

	"golang.org/x/image/tiff"

	"faxgate/internal/faxtiff"
)

// TIFF: every page (IFD) is looked at before anything is decoded: its size
// against the pixel budget, the page count against the limit. Each page is
// then decoded on its own through a view of the file in which the header
// points at that page and the page's link to the next one is cut, so both
// decoders below see a one-page file and never read the others.
//
//   - 1-bit pages (faxes, bilevel scans) go through faxtiff.Read, which
//     decodes every CCITT coding spandsp and scanners write (including T.4
//     2D, which golang.org/x/image/tiff lacks). A page already at the target
//     geometry (1728 wide, 204 dpi, the target resolution) is taken as it
//     is, bit for bit.
//   - Everything else (grey, colour, palette, 16-bit, tiles, LZW, Deflate,
//     PackBits) goes through golang.org/x/image/tiff.

// tiffPage is what the directory of one page says.
type tiffPage struct {
	off, nextPos  int64 // the IFD and its next-IFD pointer
	width, height int
	bps, spp      int
	xdpi, ydpi    float64
}

// tiffReader reads directories with bounds checks.
type tiffReader struct {
	r    io.ReaderAt
	size int64
	bo   binary.ByteOrder
}

func (t *tiffReader) read(off int64, n int) ([]byte, bool) {
	if off < 0 || n < 0 || off+int64(n) > t.size {
		return nil, false
	}
	b := make([]byte, n)
	_, err := t.r.ReadAt(b, off)
	return b, err == nil || err == io.EOF
}

// tiffPages lists the pages, refusing more than maxPages (loops in the
// chain end the walk, as every offset is visited once).
func tiffPages(r io.ReaderAt, size int64, maxPages int) ([]tiffPage, binary.ByteOrder, error) {
	t := &tiffReader{r: r, size: size}
	hdr, ok := t.read(0, 8)
	if !ok {
		return nil, nil, failf(KindCorrupt, nil, "the TIFF file is truncated")
	}
	if hdr[0] == 'I' {
		t.bo = binary.LittleEndian
	} else {
		t.bo = binary.BigEndian
	}
	off := int64(t.bo.Uint32(hdr[4:]))
	seen := map[int64]bool{}
	var pages []tiffPage
	for off != 0 && !seen[off] {
		seen[off] = true
		if len(pages) == maxPages {
			return nil, nil, failf(KindTooManyPages, nil, "the document has more than %d pages, the limit", maxPages)
		}
		p, next, err := t.page(off)
		if err != nil {
			return nil, nil, err
		}
		pages = append(pages, p)
		off = next
	}
	return pages, t.bo, nil
}

func (t *tiffReader) page(off int64) (tiffPage, int64, error) {
	corrupt := failf(KindCorrupt, nil, "the TIFF file is damaged (bad page directory)")
	cb, ok := t.read(off, 2)
	if !ok {
		return tiffPage{}, 0, corrupt
	}
	n := int(t.bo.Uint16(cb))
	raw, ok := t.read(off+2, 12*n+4)
	if !ok {
		return tiffPage{}, 0, corrupt
	}
	p := tiffPage{off: off, nextPos: off + 2 + int64(12*n), bps: 1, spp: 1}
	unit := 2
	var xres, yres float64
	for k := range n {
		e := raw[12*k:]
		tag, typ, count := t.bo.Uint16(e), t.bo.Uint16(e[2:]), t.bo.Uint32(e[4:])
		v := t.entryValue(typ, e[8:12])
		switch tag {
		case 256:
			p.width = v
		case 257:
			p.height = v
		case 258:
			if count > 2 && typ == 3 { // several samples: the value is an offset
				if b, ok := t.read(int64(t.bo.Uint32(e[8:])), 2); ok {
					v = int(t.bo.Uint16(b))
				}
			}
			p.bps = v
		case 277:
			p.spp = v
		case 296:
			unit = v
		case 282:
			xres = t.rational(typ, e[8:12])
		case 283:
			yres = t.rational(typ, e[8:12])
		}
	}
	switch unit {
	case 2:
		p.xdpi, p.ydpi = xres, yres
	case 3:
		p.xdpi, p.ydpi = xres*2.54, yres*2.54
	}
	if !plausibleDPI(p.xdpi) || !plausibleDPI(p.ydpi) {
		p.xdpi, p.ydpi = 0, 0
	}
	return p, int64(t.bo.Uint32(raw[12*n:])), nil
}

// entryValue reads a SHORT or LONG held in the entry itself.
func (t *tiffReader) entryValue(typ uint16, v []byte) int {
	switch typ {
	case 3:
		return int(t.bo.Uint16(v))
	case 4:
		return int(min(t.bo.Uint32(v), math.MaxInt32))
	}
	return 0
}

// rational reads a RATIONAL pointed to by the entry.
func (t *tiffReader) rational(typ uint16, v []byte) float64 {
	if typ != 5 {
		return 0
	}
	b, ok := t.read(int64(t.bo.Uint32(v)), 8)
	if !ok {
		return 0
	}
	num, den := t.bo.Uint32(b), t.bo.Uint32(b[4:])
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// pageView is the file as a one-page TIFF: the header's first-IFD offset
// replaced by the page's, and the page's next-IFD pointer by 0.
type pageView struct {
	r       io.ReaderAt
	bo      binary.ByteOrder
	ifd     int64
	nextPos int64
}

func (v *pageView) ReadAt(p []byte, off int64) (int, error) {
	n, err := v.r.ReadAt(p, off)
	var first, zero [4]byte
	v.bo.PutUint32(first[:], uint32(v.ifd))
	patch(p[:n], off, 4, first[:])
	patch(p[:n], off, v.nextPos, zero[:])
	return n, err
}

// patch overwrites the part of b (read from offset off) that overlaps the
// bytes repl at offset at.
func patch(b []byte, off, at int64, repl []byte) {
	for i, c := range repl {
		if k := at + int64(i) - off; k >= 0 && k < int64(len(b)) {
			b[k] = c
		}
	}
}

func (j *job) convertTIFF(r io.ReaderAt, size int64) error {
	pages, bo, err := tiffPages(r, size, j.room())
	if err != nil {
		return err
	}
	if len(pages) == 0 {
		return failf(KindNoPages, nil, "the TIFF file has no pages")
	}
	for _, p := range pages {
		model := color.Model(color.RGBAModel)
		if p.spp == 1 && p.bps <= 8 {
			model = color.GrayModel
		}
		if err := j.checkBudget(p.width, p.height, model); err != nil {
			return err
		}
	}
	for i, p := range pages {
		if err := j.ctx.Err(); err != nil {
			return err
		}
		view := io.NewSectionReader(&pageView{r: r, bo: bo, ifd: p.off, nextPos: p.nextPos}, 0, size)
		if err := j.convertTIFFPage(view, size, p); err != nil {
			return withPage(err, i+1)
		}
	}
	return nil
}

func (j *job) convertTIFFPage(view *io.SectionReader, size int64, p tiffPage) error {
	if p.bps == 1 && p.spp == 1 {
		fp, err := faxtiff.Read(view, size)
		if err == nil && len(fp) == 1 {
			return j.addBilevel(fp[0], p)
		}
		if faxtiff.ProblemOf(err) != faxtiff.ProblemFormat {
			return failf(KindCorrupt, err, "the TIFF image is damaged or truncated")
		}
		// Tiles, odd photometric etc.: the general decoder may manage.
	}
	img, err := decodeSafely(func() (image.Image, error) { return tiff.Decode(view) })
	if err != nil {
		if _, ok := err.(tiff.UnsupportedError); ok {
			return failf(KindUnsupported, err, "this TIFF variant is not supported (%v); save it as PDF, PNG or a plain TIFF", err)
		}
		return failf(KindCorrupt, err, "the TIFF image is damaged or truncated")
	}
	return j.placeRaster(toGray(img), p.xdpi, p.ydpi)
}

// addBilevel adds a 1-bit page: as it is when it already has the target
// geometry, else scaled like any image.
func (j *job) addBilevel(fp *faxtiff.Page, p tiffPage) error {
	res := j.opts.Resolution
	r, ok := faxtiff.MatchResolution(fp.YDPI)
	if fp.Width == pageWidth && ok && r == res && math.Abs(fp.XDPI-faxtiff.XDPI) <= faxtiff.XDPI*0.05 && fp.Height <= maxRows(res) {
		fp.XDPI, fp.YDPI = faxtiff.XDPI, res.LPI()
		return j.add(fp)
	}
	// A fax page's resolution is nominal: rows are 3.85/7.7/15.4 per mm and
	// a fax-width row spans 215 mm, whatever rounded dpi the file states.
	xdpi, ydpi := p.xdpi, p.ydpi
	if fr, ok := faxtiff.MatchResolution(fp.YDPI); ok && math.Abs(fp.XDPI-faxtiff.XDPI) <= faxtiff.XDPI*0.05 {
		xdpi, ydpi = pxPerMM*25.4, linesPerMM(fr)*25.4
	}
	g := newGray(fp.Width, fp.Height)
	for y := range fp.Height {
		row, dst := fp.Row(y), g.row(y)
		for x := range dst {
			if row[x>>3]&(0x80>>uint(x&7)) == 0 {
				dst[x] = 255
			}
		}
	}
	return j.placeRaster(g, xdpi, ydpi)
}
