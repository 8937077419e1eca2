package faxpdf

import (
	"encoding/binary"
	"io"
	"math/bits"
	"os"

	"faxgate/internal/faxtiff"
)

// FromTIFF writes the pages of the TIFF file at path as a PDF. See
// FromTIFFReader.
func FromTIFF(w io.Writer, path string, meta Meta) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return FromTIFFReader(w, f, st.Size(), meta)
}

// FromTIFFReader writes the pages of a TIFF file of size bytes as a PDF,
// one page at a time. Every page is decoded with faxtiff (so a corrupt
// file is an error here, not a broken PDF later); a page stored as one
// MinIsWhite T.6 strip then has its stored data embedded (bit-reversed if
// FillOrder is 2) instead of being coded again.
func FromTIFFReader(w io.Writer, r io.ReaderAt, size int64, meta Meta) error {
	_, err := convertTIFF(w, r, size, meta)
	return err
}

// convertTIFF does FromTIFFReader's work and returns how many pages kept
// their stored T.6 data.
func convertTIFF(w io.Writer, r io.ReaderAt, size int64, meta Meta) (reused int, err error) {
	strips := scanG4Strips(r, size)
	pw := NewWriter(w, meta)
	err = faxtiff.ReadEach(r, size, func(i int, p *faxtiff.Page) error {
		if i < len(strips) && strips[i].fits(p) {
			if data, ok := strips[i].read(r, size); ok {
				reused++
				return pw.AddG4(G4Image{Width: p.Width, Height: p.Height, XDPI: p.XDPI, YDPI: p.YDPI, Data: data})
			}
		}
		return pw.AddPage(p)
	})
	if err != nil {
		return reused, err
	}
	return reused, pw.Close()
}

// g4Strip locates page data that can be embedded as it is; ok is false for
// any page that cannot (wrong coding, several strips, MinIsBlack, ...).
type g4Strip struct {
	ok            bool
	width, height int
	lsbFirst      bool
	off, n        int64
}

// fits reports whether s is the stored data of p. A T.6 page never
// needs more than a few times its raw size (a checkerboard costs about
// 2 bits per pixel); a larger strip is padded or odd, and re-coded.
func (s g4Strip) fits(p *faxtiff.Page) bool {
	raw := int64(p.Stride) * int64(p.Height)
	return s.ok && s.width == p.Width && s.height == p.Height && s.n <= 4*raw+4096
}

// read returns the strip with its bits in PDF order (most significant
// first).
func (s g4Strip) read(r io.ReaderAt, size int64) ([]byte, bool) {
	if s.off < 0 || s.n <= 0 || s.off > size || s.n > size-s.off {
		return nil, false
	}
	b := make([]byte, s.n)
	if _, err := r.ReadAt(b, s.off); err != nil && !(err == io.EOF && s.off+s.n == size) {
		return nil, false
	}
	if s.lsbFirst {
		for i, v := range b {
			b[i] = bits.Reverse8(v)
		}
	}
	return b, true
}

// TIFF tags and types scanG4Strips reads.
const (
	tagWidth, tagLength, tagBits, tagCompression  = 256, 257, 258, 259
	tagPhotometric, tagFillOrder, tagStripOffsets = 262, 266, 273
	tagSamples, tagRowsPerStrip, tagStripCounts   = 277, 278, 279
	tagT6Options, tagTileWidth                    = 293, 322
	typeShort, typeLong                           = 3, 4
	maxDirs                                       = 10000
)

// scanG4Strips walks the directories and describes each page's data. It
// is only an optimisation: faxtiff.ReadEach is the authority on whether
// the file is valid, so any oddity here just means "re-code this page".
func scanG4Strips(r io.ReaderAt, size int64) []g4Strip {
	var h [8]byte
	if size < 8 {
		return nil
	}
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil
	}
	var bo binary.ByteOrder
	switch string(h[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil
	}
	var out []g4Strip
	seen := map[int64]bool{}
	for off := int64(bo.Uint32(h[4:])); off != 0 && !seen[off] && len(out) < maxDirs; {
		seen[off] = true
		s, next, ok := scanDir(r, size, bo, off)
		if !ok {
			break
		}
		out = append(out, s)
		off = next
	}
	return out
}

// scanDir reads the directory at off: its page's strip and the next
// directory's offset.
func scanDir(r io.ReaderAt, size int64, bo binary.ByteOrder, off int64) (g4Strip, int64, bool) {
	read := func(at, n int64) []byte {
		if at < 0 || at > size || n > size-at {
			return nil
		}
		b := make([]byte, n)
		if _, err := r.ReadAt(b, at); err != nil && !(err == io.EOF && at+n == size) {
			return nil
		}
		return b
	}
	nb := read(off, 2)
	if nb == nil {
		return g4Strip{}, 0, false
	}
	n := int64(bo.Uint16(nb))
	ents := read(off+2, 12*n+4)
	if ents == nil {
		return g4Strip{}, 0, false
	}
	// TIFF defaults for absent tags.
	v := map[uint16]uint32{tagBits: 1, tagSamples: 1, tagCompression: 1, tagFillOrder: 1, tagRowsPerStrip: 1<<32 - 1}
	counts := map[uint16]uint32{}
	for k := range n {
		e := ents[12*k:]
		tag, typ, cnt := bo.Uint16(e), bo.Uint16(e[2:]), bo.Uint32(e[4:])
		counts[tag] = cnt
		switch {
		case typ == typeShort:
			v[tag] = uint32(bo.Uint16(e[8:]))
		case typ == typeLong:
			v[tag] = bo.Uint32(e[8:])
		default:
			v[tag] = 1<<32 - 1 // never a value that qualifies
		}
	}
	next := int64(bo.Uint32(ents[12*n:]))
	s := g4Strip{
		width: int(v[tagWidth]), height: int(v[tagLength]),
		lsbFirst: v[tagFillOrder] == 2,
		off:      int64(v[tagStripOffsets]), n: int64(v[tagStripCounts]),
	}
	// One strip only: with a single value TIFF stores it in the entry
	// itself, which is what v holds.
	s.ok = v[tagCompression] == 4 && v[tagPhotometric] == 0 && v[tagBits] == 1 && v[tagSamples] == 1 &&
		(v[tagFillOrder] == 1 || v[tagFillOrder] == 2) && v[tagT6Options]&2 == 0 && counts[tagTileWidth] == 0 &&
		counts[tagStripOffsets] == 1 && counts[tagStripCounts] == 1 && int64(v[tagRowsPerStrip]) >= int64(s.height) &&
		s.width > 0 && s.height > 0
	return s, next, true
}
