package faxtiff

import (
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// Encoded is a page held as its T.6 (MMR) data, as Write stores it: one
// strip, bits most significant first (FillOrder 1), 1 = black
// (MinIsWhite). A fine A4 text page takes 40-100 KB this way instead of the
// 494 KB of a Page, so documents being converted or sent are held
// encoded and decoded only where pixels are needed.
type Encoded struct {
	Width, Height int
	XDPI, YDPI    float64
	Data          []byte
}

// Encode codes p (see EncodeG4).
func Encode(p *Page) *Encoded {
	return &Encoded{Width: p.Width, Height: p.Height, XDPI: p.XDPI, YDPI: p.YDPI, Data: EncodeG4(p)}
}

// Decode returns the page's pixels.
func (e *Encoded) Decode() (*Page, error) {
	if err := e.check(); err != nil {
		return nil, fmt.Errorf("faxtiff: %w", err)
	}
	p := &Page{Width: e.Width, Height: e.Height, Stride: (e.Width + 7) / 8, XDPI: e.XDPI, YDPI: e.YDPI}
	p.Pix = make([]byte, p.Stride*p.Height)
	if err := decodeCCITT(e.Data, codingT6, false, false, p, 0, p.Height); err != nil {
		return nil, fmt.Errorf("faxtiff: %w", err)
	}
	clearPadding(p)
	return p, nil
}

// Resolution returns the vertical resolution nearest to YDPI.
func (e *Encoded) Resolution() Resolution {
	return (&Page{YDPI: e.YDPI}).Resolution()
}

func (e *Encoded) check() error {
	switch {
	case e == nil:
		return errors.New("nil page")
	case e.Width <= 0 || e.Height <= 0 || e.Width > MaxWidth || e.Height > MaxHeight:
		return fmt.Errorf("size %d×%d is out of range", e.Width, e.Height)
	case !(e.XDPI > 0) || !(e.YDPI > 0) || e.XDPI > 1e6 || e.YDPI > 1e6:
		return fmt.Errorf("resolution %gx%g dpi is not set", e.XDPI, e.YDPI)
	case len(e.Data) == 0:
		return errors.New("no T.6 data")
	}
	return nil
}

// WriteEncoded writes encoded pages as TIFF-F exactly like Write, copying
// their stored T.6 data.
func WriteEncoded(w io.Writer, pages []*Encoded) error {
	for i, e := range pages {
		if err := e.check(); err != nil {
			return fmt.Errorf("faxtiff: page %d: %w", i+1, err)
		}
	}
	return writeCoded(w, len(pages), func(i int) *Encoded { return pages[i] })
}

// WriteEncodedFile writes encoded pages to path atomically (see WriteFile).
func WriteEncodedFile(path string, pages []*Encoded) error {
	return writeFileAtomic(path, func(w io.Writer) error { return WriteEncoded(w, pages) })
}

// RawPage is one page of a TIFF file as stored, before its pixels are
// decoded: enough to decide whether its data can be reused as it is.
type RawPage struct {
	Width, Height int
	XDPI, YDPI    float64
	Compression   int // TIFF code: 1 none, 2 RLE, 3 T.4, 4 T.6, ...

	index int
	t     *tiffFile
	d     *dir
}

// ReadEachRaw walks the pages of a TIFF file of size bytes and calls fn
// with each (index from 0) without decoding it; fn decides whether to
// Decode it or reuse its T.6 data (G4). An error from fn stops the walk and
// is returned as is.
func ReadEachRaw(r io.ReaderAt, size int64, fn func(index int, p *RawPage) error) error {
	t, dirs, err := openTIFF(r, size)
	if err != nil {
		return fmt.Errorf("faxtiff: %w", err)
	}
	for i, off := range dirs {
		d, err := t.readDir(off)
		if err != nil {
			return pageErr(i, err)
		}
		rp := &RawPage{Width: d.width, Height: d.height, XDPI: d.xres, YDPI: d.yres, Compression: d.compression, index: i, t: t, d: d}
		if err := fn(i, rp); err != nil {
			return err
		}
	}
	return nil
}

// Decode decodes the page's pixels; errors name the page, as ReadEach's.
func (rp *RawPage) Decode() (*Page, error) {
	p, err := rp.t.decode(rp.d, nil)
	if err != nil {
		return nil, pageErr(rp.index, err)
	}
	return p, nil
}

// G4 returns the page's stored data when it is a single MinIsWhite T.6
// strip without uncompressed mode, bit-reversed if stored FillOrder 2, so
// that it can be copied into another file or a PDF (CCITTFaxDecode K=-1)
// without coding it again; ok is false for any other page. The data is
// not checked: decode the page (Decode) to know it is sound. A strip far
// larger than T.6 ever needs (more than 4 times the raw page) is refused
// too, so a padded or odd file is coded again.
func (rp *RawPage) G4() (e *Encoded, ok bool) {
	d := rp.d
	if d.compression != 4 || d.photometric != 0 || d.t6Options&2 != 0 || len(d.stripOffsets) != 1 ||
		d.rowsPerStrip < d.height {
		return nil, false
	}
	if raw := uint64(d.width+7) / 8 * uint64(d.height); d.stripCounts[0] > 4*raw+4096 {
		return nil, false
	}
	data, err := rp.t.bytesAt(int64(d.stripOffsets[0]), int64(d.stripCounts[0]))
	if err != nil || len(data) == 0 {
		return nil, false
	}
	if d.fillOrder == 2 {
		for i, b := range data {
			data[i] = bits.Reverse8(b)
		}
	}
	return &Encoded{Width: d.width, Height: d.height, XDPI: d.xres, YDPI: d.yres, Data: data}, true
}
