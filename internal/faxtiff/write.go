package faxtiff

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// TIFF tags used by the writer and the reader.
const (
	tagNewSubfileType  = 254
	tagImageWidth      = 256
	tagImageLength     = 257
	tagBitsPerSample   = 258
	tagCompression     = 259
	tagPhotometric     = 262
	tagFillOrder       = 266
	tagStripOffsets    = 273
	tagSamplesPerPixel = 277
	tagRowsPerStrip    = 278
	tagStripByteCounts = 279
	tagXResolution     = 282
	tagYResolution     = 283
	tagPlanarConfig    = 284
	tagT4Options       = 292
	tagT6Options       = 293
	tagResolutionUnit  = 296
	tagPageNumber      = 297
	tagSoftware        = 305
	tagTileWidth       = 322
)

// TIFF field types.
const (
	typeByte      = 1
	typeASCII     = 2
	typeShort     = 3
	typeLong      = 4
	typeRational  = 5
	typeSByte     = 6
	typeUndefined = 7
	typeSShort    = 8
	typeSLong     = 9
	typeSRational = 10
	typeFloat     = 11
	typeDouble    = 12
)

const software = "faxgate"

// Write writes pages as a little-endian multi-page TIFF-F file: one IFD
// per page, each page one T.6-coded strip, 1 bit MinIsWhite, FillOrder 1,
// resolution in dpi and PageNumber n/total. Pages are coded one at a time,
// so memory use does not grow with the number of pages. Write does not
// insist on fax widths (tests write odd pages on purpose); Validate does.
func Write(w io.Writer, pages []*Page) error {
	for i, p := range pages {
		if err := p.check(); err != nil {
			return fmt.Errorf("faxtiff: page %d: %w", i+1, err)
		}
	}
	return writeCoded(w, len(pages), func(i int) *Encoded { return Encode(pages[i]) })
}

// writeCoded writes n pages, asking page(i) for each in turn.
func writeCoded(w io.Writer, n int, page func(i int) *Encoded) error {
	if n == 0 {
		return errors.New("faxtiff: no pages to write")
	}
	if n > math.MaxUint16 {
		return fmt.Errorf("faxtiff: %d pages is more than a TIFF PageNumber can count", n)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	hdr := []byte{'I', 'I', 42, 0, 8, 0, 0, 0} // first IFD right after the header
	if _, err := bw.Write(hdr); err != nil {
		return err
	}
	off := int64(len(hdr))
	for i := range n {
		e := page(i)
		if off+int64(ifdSize)+int64(len(e.Data)) > math.MaxUint32-1 {
			return errors.New("faxtiff: file would exceed 4 GB, the limit of classic TIFF")
		}
		ifd, next := buildIFD(e, i, n, uint32(off))
		if _, err := bw.Write(ifd); err != nil {
			return err
		}
		if _, err := bw.Write(e.Data); err != nil {
			return err
		}
		if len(e.Data)&1 != 0 {
			if err := bw.WriteByte(0); err != nil { // word-align the next IFD
				return err
			}
		}
		off = int64(next)
	}
	return bw.Flush()
}

// The IFD layout written for every page: entry count, entries, next-IFD
// offset, then the values that do not fit in an entry (two rationals and
// the Software string), then the strip (padded to an even length so that
// the next IFD starts on a word boundary, as TIFF requires).
const (
	numEntries = 17
	ifdSize    = 2 + numEntries*12 + 4 + 8 + 8 + len(software) + 1
)

// buildIFD returns the IFD of page i (0-based) at offset off and the offset
// of the next IFD; its strip (p.Data) follows it directly.
func buildIFD(p *Encoded, i, total int, off uint32) ([]byte, uint32) {
	data := p.Data
	le := binary.LittleEndian
	b := make([]byte, ifdSize, ifdSize+1)
	le.PutUint16(b, numEntries)
	xres := off + 2 + numEntries*12 + 4
	yres, soft := xres+8, xres+16
	strip := off + uint32(ifdSize)
	next := strip + uint32(len(data)+len(data)&1)
	if i == total-1 {
		next = 0
	}
	e := b[2:]
	put := func(tag, typ uint16, count, val uint32) {
		le.PutUint16(e[0:], tag)
		le.PutUint16(e[2:], typ)
		le.PutUint32(e[4:], count)
		if typ == typeShort && count == 1 {
			le.PutUint16(e[8:], uint16(val)) // short values sit left-justified
		} else {
			le.PutUint32(e[8:], val)
		}
		e = e[12:]
	}
	put(tagNewSubfileType, typeLong, 1, 2) // 2 = one page of a multi-page document
	put(tagImageWidth, typeLong, 1, uint32(p.Width))
	put(tagImageLength, typeLong, 1, uint32(p.Height))
	put(tagBitsPerSample, typeShort, 1, 1)
	put(tagCompression, typeShort, 1, 4) // CCITT T.6
	put(tagPhotometric, typeShort, 1, 0) // MinIsWhite: bit 1 = black
	put(tagFillOrder, typeShort, 1, 1)
	put(tagStripOffsets, typeLong, 1, strip)
	put(tagSamplesPerPixel, typeShort, 1, 1)
	put(tagRowsPerStrip, typeLong, 1, uint32(p.Height))
	put(tagStripByteCounts, typeLong, 1, uint32(len(data)))
	put(tagXResolution, typeRational, 1, xres)
	put(tagYResolution, typeRational, 1, yres)
	put(tagT6Options, typeLong, 1, 0)
	put(tagResolutionUnit, typeShort, 1, 2) // inch
	// PageNumber is two shorts, packed in the value field.
	put(tagPageNumber, typeShort, 2, uint32(i)|uint32(total)<<16)
	put(tagSoftware, typeASCII, uint32(len(software)+1), soft)
	le.PutUint32(e, next)
	v := b[xres-off:]
	n, d := rational(p.XDPI)
	le.PutUint32(v[0:], n)
	le.PutUint32(v[4:], d)
	n, d = rational(p.YDPI)
	le.PutUint32(v[8:], n)
	le.PutUint32(v[12:], d)
	copy(v[16:], software) // the NUL terminator is already there
	return b, next
}

// rational turns a resolution into num/den, exact for whole numbers and to
// 1/1000 otherwise (7.7 lines/mm = 195.58 lpi).
func rational(v float64) (uint32, uint32) {
	if v == math.Trunc(v) && v < 1<<31 {
		return uint32(v), 1
	}
	return uint32(math.Round(v * 1000)), 1000
}

// WriteFile writes pages to path atomically: to a temporary file in the
// same directory, synced, then renamed over path, so that a reader (or
// spandsp) never sees half a file.
func WriteFile(path string, pages []*Page) error {
	return writeFileAtomic(path, func(w io.Writer) error { return Write(w, pages) })
}

// writeFileAtomic writes path through a synced temporary file renamed
// over it.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o644); err != nil { // like os.WriteFile, not CreateTemp's 0600
		return err
	}
	if err = write(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
