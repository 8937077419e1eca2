package faxtiff

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"sort"
)

// tiffBuilder writes TIFF files with arbitrary tags, for reader and
// validator tests: other byte orders, uncompressed or MinIsBlack data,
// many strips, wrong widths and depths, and broken structures.
type tiffBuilder struct {
	bo interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}
	big  bool
	dirs []builderDir
}

type builderDir struct {
	entries map[uint16]builderEntry
	strips  [][]byte
}

type builderEntry struct {
	typ  uint16
	vals []uint32 // SHORT/LONG values; RATIONAL as num,den pairs; ASCII as bytes
}

func newBuilder(bigEndian bool) *tiffBuilder {
	b := &tiffBuilder{bo: binary.LittleEndian}
	if bigEndian {
		b.bo = binary.BigEndian
	}
	b.big = bigEndian
	return b
}

// rawOpts describes how addRaw stores a page.
type rawOpts struct {
	minIsBlack   bool
	fillOrder2   bool
	rowsPerStrip int // 0 = one strip
	xdpi, ydpi   uint32
	packBits     bool
}

// addRaw adds a page stored uncompressed (or PackBits) with the given options.
func (b *tiffBuilder) addRaw(p *Page, o rawOpts) *builderDir {
	rps := o.rowsPerStrip
	if rps <= 0 {
		rps = p.Height
	}
	d := b.addDir(p.Width, p.Height, 1, map[bool]uint32{false: 1, true: 32773}[o.packBits])
	if o.minIsBlack {
		d.set(tagPhotometric, typeShort, 1)
	}
	if o.fillOrder2 {
		d.set(tagFillOrder, typeShort, 2)
	}
	if o.xdpi == 0 {
		o.xdpi, o.ydpi = 204, uint32(p.YDPI)
	}
	d.set(tagXResolution, typeRational, o.xdpi, 1)
	d.set(tagYResolution, typeRational, o.ydpi, 1)
	d.set(tagRowsPerStrip, typeLong, uint32(rps))
	for y0 := 0; y0 < p.Height; y0 += rps {
		var s []byte
		for y := y0; y < min(y0+rps, p.Height); y++ {
			row := append([]byte(nil), p.Row(y)...)
			for i := range row {
				if o.minIsBlack {
					row[i] = ^row[i]
				}
				if o.fillOrder2 {
					row[i] = bits.Reverse8(row[i])
				}
			}
			if o.packBits {
				row = packBitsRow(row)
			}
			s = append(s, row...)
		}
		d.strips = append(d.strips, s)
	}
	return d
}

// packBitsRow codes a row as PackBits: a repeat run for each group of equal
// bytes, literals otherwise (not optimal, but valid).
func packBitsRow(row []byte) []byte {
	var out []byte
	for i := 0; i < len(row); {
		j := i
		for j < len(row) && j-i < 128 && row[j] == row[i] {
			j++
		}
		if j-i >= 2 {
			out = append(out, byte(int8(1-(j-i))), row[i])
		} else {
			out = append(out, 0, row[i])
		}
		i = j
	}
	return out
}

// addDir adds a directory with the basic tags; strips are added by the caller.
func (b *tiffBuilder) addDir(width, height, bitsPerSample int, compression uint32) *builderDir {
	b.dirs = append(b.dirs, builderDir{entries: map[uint16]builderEntry{}})
	d := &b.dirs[len(b.dirs)-1]
	d.set(tagImageWidth, typeLong, uint32(width))
	d.set(tagImageLength, typeLong, uint32(height))
	d.set(tagBitsPerSample, typeShort, uint32(bitsPerSample))
	d.set(tagCompression, typeShort, compression)
	d.set(tagPhotometric, typeShort, 0)
	d.set(tagResolutionUnit, typeShort, 2)
	return d
}

func (d *builderDir) set(tag uint16, typ uint16, vals ...uint32) {
	d.entries[tag] = builderEntry{typ: typ, vals: vals}
}

func (d *builderDir) del(tag uint16) { delete(d.entries, tag) }

// bytes lays out: header, then per directory its strips, out-of-line
// values and the IFD; the chain links the IFDs in order.
func (b *tiffBuilder) bytes() []byte {
	var out bytes.Buffer
	if b.big {
		out.WriteString("MM\x00\x2a")
	} else {
		out.WriteString("II\x2a\x00")
	}
	firstIFD := out.Len()
	out.Write(make([]byte, 4))
	prevNext := firstIFD
	for i := range b.dirs {
		d := &b.dirs[i]
		var offs, counts []uint32
		for _, s := range d.strips {
			offs = append(offs, uint32(out.Len()))
			counts = append(counts, uint32(len(s)))
			out.Write(s)
		}
		if len(d.strips) > 0 {
			d.set(tagStripOffsets, typeLong, offs...)
			d.set(tagStripByteCounts, typeLong, counts...)
		}
		tags := make([]int, 0, len(d.entries))
		for tag := range d.entries {
			tags = append(tags, int(tag))
		}
		sort.Ints(tags)
		// Out-of-line values first, so the IFD can point at them.
		valOff := map[uint16]uint32{}
		for _, tag := range tags {
			e := d.entries[uint16(tag)]
			if raw := b.encode(e); len(raw) > 4 {
				if out.Len()%2 == 1 {
					out.WriteByte(0)
				}
				valOff[uint16(tag)] = uint32(out.Len())
				out.Write(raw)
			}
		}
		if out.Len()%2 == 1 {
			out.WriteByte(0)
		}
		ifd := uint32(out.Len())
		b.bo.PutUint32(out.Bytes()[prevNext:], ifd)
		var buf [12]byte
		b.bo.PutUint16(buf[:2], uint16(len(tags)))
		out.Write(buf[:2])
		for _, tag := range tags {
			e := d.entries[uint16(tag)]
			raw := b.encode(e)
			b.bo.PutUint16(buf[0:], uint16(tag))
			b.bo.PutUint16(buf[2:], e.typ)
			b.bo.PutUint32(buf[4:], count(e))
			clear(buf[8:])
			if off, ok := valOff[uint16(tag)]; ok {
				b.bo.PutUint32(buf[8:], off)
			} else {
				copy(buf[8:], raw)
			}
			out.Write(buf[:])
		}
		prevNext = out.Len()
		out.Write(make([]byte, 4))
	}
	return out.Bytes()
}

func count(e builderEntry) uint32 {
	if e.typ == typeRational {
		return uint32(len(e.vals) / 2)
	}
	return uint32(len(e.vals))
}

func (b *tiffBuilder) encode(e builderEntry) []byte {
	var out []byte
	for _, v := range e.vals {
		switch e.typ {
		case typeByte, typeASCII:
			out = append(out, byte(v))
		case typeShort:
			out = b.bo.AppendUint16(out, uint16(v))
		default:
			out = b.bo.AppendUint32(out, v)
		}
	}
	return out
}
