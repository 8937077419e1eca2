package faxtiff

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
)

// Limits that keep hostile or broken files from exhausting memory or CPU.
const (
	MaxWidth  = 10000 // pixels per row
	MaxHeight = 20000 // rows per page
	// maxIFDs bounds the directory chain walk (real faxes have ≤ 1000 pages).
	maxIFDs = 10000
	// maxReadBytes bounds the decoded pixels Read keeps in memory at once
	// (1000 A4 fine pages need 494 MB). ReadEach has no such limit.
	maxReadBytes = 1 << 30
)

// ErrNotTIFF is returned (wrapped) for input that is not a classic TIFF file.
var ErrNotTIFF = errors.New("not a TIFF file")

// tiffFile is an open classic TIFF: its byte order and size.
type tiffFile struct {
	r    io.ReaderAt
	size int64
	bo   binary.ByteOrder
}

// ifdEntry is one 12-byte directory entry; val holds the 4 value/offset bytes.
type ifdEntry struct {
	tag, typ uint16
	count    uint32
	val      [4]byte
}

// dir is a parsed image file directory: the fields a fax page needs.
type dir struct {
	width, height   int
	bitsPerSample   int
	samplesPerPixel int
	compression     int
	photometric     int
	fillOrder       int
	t4Options       uint32
	t6Options       uint32
	rowsPerStrip    int
	stripOffsets    []uint64
	stripCounts     []uint64
	xres, yres      float64 // dpi; 0 when absent or without a unit
	tiled           bool

	// As stored, before readDir converts them to dpi.
	rawXRes, rawYRes float64
	resUnit          uint64
}

// ReadFile reads every page of a TIFF file.
func ReadFile(path string) ([]*Page, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return Read(f, st.Size())
}

// Read reads every page of a TIFF file of size bytes: 1-bit pages coded
// with T.4 (1D or 2D), T.6, CCITT RLE, PackBits, LZW, Deflate or none, in
// either fill order, MinIsWhite or MinIsBlack, in one strip or many.
func Read(r io.ReaderAt, size int64) ([]*Page, error) {
	var pages []*Page
	total := 0
	err := ReadEach(r, size, func(i int, p *Page) error {
		if total += len(p.Pix); total > maxReadBytes {
			return pageErr(i, problemf(ProblemImageSize, "the pages so far need more than %d MB of memory; read them one by one with ReadEach", maxReadBytes>>20))
		}
		pages = append(pages, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pages, nil
}

// ReadEach decodes the pages one at a time and calls fn with each (index
// from 0); fn may keep the page. An error from fn stops the walk and is
// returned as is.
func ReadEach(r io.ReaderAt, size int64, fn func(index int, p *Page) error) error {
	return ReadEachRaw(r, size, func(i int, rp *RawPage) error {
		p, err := rp.Decode()
		if err != nil {
			return err
		}
		return fn(i, p)
	})
}

func pageErr(i int, err error) error {
	return fmt.Errorf("faxtiff: page %d: %w", i+1, err)
}

// openTIFF checks the header and returns the offsets of all IFDs.
func openTIFF(r io.ReaderAt, size int64) (*tiffFile, []int64, error) {
	var h [8]byte
	if size < 8 {
		return nil, nil, problemf(ProblemNotTIFF, "%w (only %d bytes)", ErrNotTIFF, size)
	}
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil, nil, fmt.Errorf("reading the TIFF header: %w", err)
	}
	t := &tiffFile{r: r, size: size}
	switch string(h[:2]) {
	case "II":
		t.bo = binary.LittleEndian
	case "MM":
		t.bo = binary.BigEndian
	default:
		return nil, nil, problemf(ProblemNotTIFF, "%w (it starts with %q)", ErrNotTIFF, h[:4])
	}
	switch v := t.bo.Uint16(h[2:]); v {
	case 42:
	case 43:
		return nil, nil, problemf(ProblemFormat, "BigTIFF files are not supported")
	default:
		return nil, nil, problemf(ProblemNotTIFF, "%w (version %d, want 42)", ErrNotTIFF, v)
	}
	dirs, err := t.dirChain(int64(t.bo.Uint32(h[4:])))
	return t, dirs, err
}

// dirChain follows the next-IFD links, refusing loops and offsets outside
// the file.
func (t *tiffFile) dirChain(off int64) ([]int64, error) {
	var dirs []int64
	seen := make(map[int64]bool)
	for off != 0 {
		if seen[off] {
			return nil, problemf(ProblemCorrupt, "corrupt TIFF: directory %d points back to an earlier one (offset %d)", len(dirs), off)
		}
		if len(dirs) >= maxIFDs {
			return nil, problemf(ProblemTooManyPages, "the file has more than %d pages", maxIFDs)
		}
		seen[off] = true
		b, err := t.bytesAt(off, 2)
		if err != nil {
			return nil, problemf(ProblemCorrupt, "corrupt TIFF: directory %d: %w", len(dirs)+1, err)
		}
		n := int64(t.bo.Uint16(b))
		nb, err := t.bytesAt(off+2+12*n, 4)
		if err != nil {
			return nil, problemf(ProblemCorrupt, "corrupt TIFF: directory %d with %d entries: %w", len(dirs)+1, n, err)
		}
		dirs = append(dirs, off)
		off = int64(t.bo.Uint32(nb))
	}
	if len(dirs) == 0 {
		return nil, problemf(ProblemNoPages, "the file has no pages")
	}
	return dirs, nil
}

// bytesAt reads n bytes at off after checking that they lie in the file, so
// a corrupt length never causes a large allocation.
func (t *tiffFile) bytesAt(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > t.size || n > t.size-off {
		return nil, fmt.Errorf("%d bytes at offset %d lie outside the %d-byte file", n, off, t.size)
	}
	b := make([]byte, n)
	if _, err := t.r.ReadAt(b, off); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		return nil, err
	}
	return b, nil
}

var typeSize = [...]int64{typeByte: 1, typeASCII: 1, typeShort: 2, typeLong: 4, typeRational: 8,
	typeSByte: 1, typeUndefined: 1, typeSShort: 2, typeSLong: 4, typeSRational: 8, typeFloat: 4, typeDouble: 8}

// data returns the value bytes of an entry, inline or at its offset.
func (t *tiffFile) data(e ifdEntry) ([]byte, error) {
	if int(e.typ) >= len(typeSize) || typeSize[e.typ] == 0 {
		return nil, fmt.Errorf("tag %d has unknown type %d", e.tag, e.typ)
	}
	n := typeSize[e.typ] * int64(e.count)
	if n <= 4 {
		return e.val[:n], nil
	}
	b, err := t.bytesAt(int64(t.bo.Uint32(e.val[:])), n)
	if err != nil {
		return nil, fmt.Errorf("tag %d: %w", e.tag, err)
	}
	return b, nil
}

// uints returns the values of a BYTE, SHORT or LONG entry.
func (t *tiffFile) uints(e ifdEntry) ([]uint64, error) {
	b, err := t.data(e)
	if err != nil {
		return nil, err
	}
	v := make([]uint64, e.count)
	for i := range v {
		switch e.typ {
		case typeByte:
			v[i] = uint64(b[i])
		case typeShort:
			v[i] = uint64(t.bo.Uint16(b[2*i:]))
		case typeLong:
			v[i] = uint64(t.bo.Uint32(b[4*i:]))
		default:
			return nil, fmt.Errorf("tag %d has type %d, want an unsigned integer", e.tag, e.typ)
		}
	}
	return v, nil
}

// uint1 returns the first value of an integer entry; extra values are
// ignored, as libtiff does for scalar tags.
func (t *tiffFile) uint1(e ifdEntry) (uint64, error) {
	if e.count < 1 {
		return 0, fmt.Errorf("tag %d has no value", e.tag)
	}
	e.count = 1
	v, err := t.uints(e)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// float returns a RATIONAL (or integer / FLOAT) entry as a float64.
func (t *tiffFile) float(e ifdEntry) (float64, error) {
	if e.count < 1 {
		return 0, fmt.Errorf("tag %d has no value", e.tag)
	}
	e.count = 1
	b, err := t.data(e)
	if err != nil {
		return 0, err
	}
	switch e.typ {
	case typeRational:
		num, den := t.bo.Uint32(b), t.bo.Uint32(b[4:])
		if den == 0 {
			return 0, nil
		}
		return float64(num) / float64(den), nil
	case typeFloat:
		return float64(math.Float32frombits(t.bo.Uint32(b))), nil
	case typeDouble:
		return math.Float64frombits(t.bo.Uint64(b)), nil
	}
	v, err := t.uint1(e)
	return float64(v), err
}

// readDir parses the IFD at off into a dir, with TIFF defaults for absent
// tags and checks that make the later decode safe.
func (t *tiffFile) readDir(off int64) (*dir, error) {
	b, _ := t.bytesAt(off, 2) // dirChain checked the whole IFD
	n := int64(t.bo.Uint16(b))
	raw, err := t.bytesAt(off+2, 12*n)
	if err != nil {
		return nil, problemf(ProblemCorrupt, "corrupt directory: %w", err)
	}
	// TIFF defaults for absent tags; RowsPerStrip's is "the whole image".
	d := &dir{bitsPerSample: 1, samplesPerPixel: 1, compression: 1, fillOrder: 1,
		rowsPerStrip: math.MaxInt32, resUnit: 2}
	for k := range n {
		r := raw[12*k:]
		e := ifdEntry{tag: t.bo.Uint16(r), typ: t.bo.Uint16(r[2:]), count: t.bo.Uint32(r[4:])}
		copy(e.val[:], r[8:12])
		if err := t.field(d, e); err != nil {
			return nil, problemf(ProblemCorrupt, "corrupt directory: %w", err)
		}
	}
	switch d.resUnit {
	case 2: // inch
		d.xres, d.yres = d.rawXRes, d.rawYRes
	case 3: // centimetre
		d.xres, d.yres = d.rawXRes*2.54, d.rawYRes*2.54
	}
	return d, d.check()
}

// field stores one entry into d.
func (t *tiffFile) field(d *dir, e ifdEntry) error {
	var v uint64
	var err error
	switch e.tag {
	case tagImageWidth, tagImageLength, tagBitsPerSample, tagCompression, tagPhotometric,
		tagFillOrder, tagSamplesPerPixel, tagRowsPerStrip, tagT4Options, tagT6Options, tagResolutionUnit:
		v, err = t.uint1(e)
		if err != nil {
			return err
		}
		v = min(v, math.MaxInt32) // huge values fail the range checks below
	}
	switch e.tag {
	case tagImageWidth:
		d.width = int(v)
	case tagImageLength:
		d.height = int(v)
	case tagBitsPerSample:
		d.bitsPerSample = int(v) // one value per sample; the first decides
	case tagCompression:
		d.compression = int(v)
	case tagPhotometric:
		d.photometric = int(v)
	case tagFillOrder:
		d.fillOrder = int(v)
	case tagSamplesPerPixel:
		d.samplesPerPixel = int(v)
	case tagRowsPerStrip:
		d.rowsPerStrip = int(v)
	case tagT4Options:
		d.t4Options = uint32(v)
	case tagT6Options:
		d.t6Options = uint32(v)
	case tagResolutionUnit:
		d.resUnit = v
	case tagXResolution:
		d.rawXRes, err = t.float(e)
	case tagYResolution:
		d.rawYRes, err = t.float(e)
	case tagStripOffsets:
		d.stripOffsets, err = t.stripArray(e)
	case tagStripByteCounts:
		d.stripCounts, err = t.stripArray(e)
	case tagTileWidth:
		d.tiled = true
	}
	return err
}

// stripArray reads StripOffsets or StripByteCounts. A strip holds at least
// one row, so more than MaxHeight entries can only be corruption (and
// would cost 4 bytes of memory per byte of file).
func (t *tiffFile) stripArray(e ifdEntry) ([]uint64, error) {
	if e.typ != typeShort && e.typ != typeLong {
		return nil, fmt.Errorf("tag %d has type %d, want SHORT or LONG", e.tag, e.typ)
	}
	if e.count > MaxHeight {
		return nil, fmt.Errorf("tag %d lists %d strips; a page has at most %d rows", e.tag, e.count, MaxHeight)
	}
	return t.uints(e)
}

// check rejects directories that cannot be decoded as a 1-bit page.
func (d *dir) check() error {
	switch {
	case d.width <= 0 || d.height <= 0:
		return problemf(ProblemCorrupt, "image has an empty size of %d×%d pixels", d.width, d.height)
	case d.width > MaxWidth || d.height > MaxHeight:
		return problemf(ProblemImageSize, "image is %d×%d pixels; at most %d×%d is accepted", d.width, d.height, MaxWidth, MaxHeight)
	case d.tiled:
		return problemf(ProblemFormat, "image is stored in tiles; fax pages must be stored in strips")
	case d.samplesPerPixel != 1:
		return problemf(ProblemBitsPerPixel, "image has %d samples per pixel; fax pages must be 1-bit black and white", d.samplesPerPixel)
	case d.bitsPerSample != 1:
		return problemf(ProblemBitsPerPixel, "image has %d bits per pixel; fax pages must be 1-bit black and white", d.bitsPerSample)
	case d.photometric != 0 && d.photometric != 1:
		return problemf(ProblemFormat, "photometric interpretation %d is not black and white (want 0 MinIsWhite or 1 MinIsBlack)", d.photometric)
	case compressionName[d.compression] == "":
		return problemf(ProblemFormat, "compression %d is not supported (want CCITT T.4/T.6, none, PackBits, LZW or Deflate)", d.compression)
	case d.fillOrder != 1 && d.fillOrder != 2:
		return problemf(ProblemCorrupt, "fill order %d (want 1 or 2)", d.fillOrder)
	case d.rowsPerStrip <= 0:
		return problemf(ProblemCorrupt, "RowsPerStrip is 0")
	case len(d.stripOffsets) == 0:
		return problemf(ProblemCorrupt, "no StripOffsets")
	case len(d.stripCounts) == 0:
		return problemf(ProblemCorrupt, "no StripByteCounts")
	}
	strips := (d.height + min(d.rowsPerStrip, d.height) - 1) / min(d.rowsPerStrip, d.height)
	if len(d.stripOffsets) < strips || len(d.stripCounts) < strips {
		return problemf(ProblemCorrupt, "%d rows in strips of %d need %d strips, StripOffsets has %d and StripByteCounts %d",
			d.height, d.rowsPerStrip, strips, len(d.stripOffsets), len(d.stripCounts))
	}
	d.stripOffsets, d.stripCounts = d.stripOffsets[:strips], d.stripCounts[:strips]
	return nil
}

// compressionName names the codings Read supports.
var compressionName = map[int]string{
	1: "uncompressed", 2: "CCITT RLE", 3: "CCITT T.4", 4: "CCITT T.6",
	5: "LZW", 8: "Deflate", 32946: "Deflate", 32773: "PackBits",
}

// decode reads the strips of d into a new page; buf, if large enough, is
// used for the pixels instead of a new allocation.
func (t *tiffFile) decode(d *dir, buf []byte) (*Page, error) {
	if err := d.plausible(); err != nil {
		return nil, err
	}
	p := &Page{Width: d.width, Height: d.height, Stride: (d.width + 7) / 8, XDPI: d.xres, YDPI: d.yres}
	if n := p.Stride * p.Height; cap(buf) >= n {
		p.Pix = buf[:n]
		clear(p.Pix) // the decoders only set black pixels
	} else {
		p.Pix = make([]byte, n)
	}
	rps := min(d.rowsPerStrip, d.height)
	for s := range d.stripOffsets {
		y0 := s * rps
		rows := min(rps, d.height-y0)
		data, err := t.bytesAt(int64(d.stripOffsets[s]), int64(d.stripCounts[s]))
		if err != nil {
			return nil, problemf(ProblemCorrupt, "strip %d: %w", s+1, err)
		}
		if err := decodeStrip(d, data, p, y0, rows); err != nil {
			if len(d.stripOffsets) > 1 {
				return nil, problemf(ProblemCorrupt, "%s data, strip %d: %w", compressionName[d.compression], s+1, err)
			}
			return nil, problemf(ProblemCorrupt, "%s data: %w", compressionName[d.compression], err)
		}
	}
	// Page bits are 1 for black, which is what MinIsWhite samples mean.
	// libtiff decodes CCITT black runs to sample value 1 whatever the
	// Photometric, so MinIsBlack (1 = white) pages are inverted like raw
	// ones (TestReadLibtiffCodings checks this against tiffcp).
	if d.photometric == 1 {
		invert(p)
	}
	clearPadding(p)
	return p, nil
}

// plausible rejects a page whose strips are too small to hold its rows
// before any pixel memory is allocated: a few hundred bytes must not be
// able to claim a 25 MB page. Each coded row takes at least one bit
// (a T.6 V0 code), raw rows take Stride bytes, PackBits rows at least
// Stride/64; Deflate expands at most 1032 times, LZW (12-bit codes of at
// most 4096 bytes) at most 2731 times.
func (d *dir) plausible() error {
	var total uint64
	for _, c := range d.stripCounts {
		total += c
	}
	stride := uint64(d.width+7) / 8
	var need uint64
	switch d.compression {
	case 1:
		need = stride * uint64(d.height)
	case 32773:
		need = (stride + 63) / 64 * uint64(d.height)
	case 2, 3, 4:
		need = uint64(d.height) / 8
	case 8, 32946:
		need = stride * uint64(d.height) / 1032
	case 5:
		need = stride * uint64(d.height) / 2731
	}
	if total < need {
		return problemf(ProblemCorrupt, "%s data of %d bytes cannot hold %d rows of %d pixels", compressionName[d.compression], total, d.height, d.width)
	}
	return nil
}

func decodeStrip(d *dir, data []byte, p *Page, y0, rows int) error {
	lsb := d.fillOrder == 2
	switch d.compression {
	case 2:
		return decodeCCITT(data, codingMH, false, lsb, p, y0, rows)
	case 3:
		return decodeCCITT(data, codingT4, d.t4Options&1 != 0, lsb, p, y0, rows)
	case 4:
		return decodeCCITT(data, codingT6, false, lsb, p, y0, rows)
	}
	raw, err := inflate(d.compression, data, rows*p.Stride)
	if err != nil {
		return err
	}
	if len(raw) < rows*p.Stride {
		return fmt.Errorf("strip has %d bytes, %d rows of %d bytes need %d: %w", len(raw), rows, p.Stride, rows*p.Stride, errEndOfData)
	}
	dst := p.Pix[y0*p.Stride : (y0+rows)*p.Stride]
	copy(dst, raw)
	if lsb {
		for i, b := range dst {
			dst[i] = bits.Reverse8(b)
		}
	}
	return nil
}

// invert flips every pixel (and the padding, which the caller clears).
func invert(p *Page) {
	for i := range p.Pix {
		p.Pix[i] = ^p.Pix[i]
	}
}

// clearPadding zeroes the bits past Width in each row, which uncompressed
// data and inversion may leave set.
func clearPadding(p *Page) {
	if p.Width%8 == 0 {
		return
	}
	mask := byte(0xFF << uint(8-p.Width%8))
	for y := range p.Height {
		p.Pix[y*p.Stride+p.Stride-1] &= mask
	}
}
