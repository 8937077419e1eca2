package faxtiff

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the TIFF reader and the validator:
// they must return pages or an error, never panic, and pages must be
// consistent with their size.
func FuzzRead(f *testing.F) {
	small := []*Page{textPage(64, 40, Fine, 1, 1), checkerPage(WidthA4, 3, 2)}
	var buf bytes.Buffer
	if err := Write(&buf, small); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	for _, o := range []rawOpts{{}, {minIsBlack: true, fillOrder2: true, rowsPerStrip: 2}, {packBits: true}} {
		b := newBuilder(o.fillOrder2)
		b.addRaw(small[0], o)
		f.Add(b.bytes())
	}
	for _, o := range t4Variants {
		b := newBuilder(false)
		d := b.addDir(small[0].Width, small[0].Height, 1, map[coding]uint32{codingMH: 2, codingT4: 3}[o.coding])
		d.set(tagT4Options, typeLong, map[bool]uint32{false: 4, true: 5}[o.twoD])
		if o.lsb {
			d.set(tagFillOrder, typeShort, 2)
		}
		d.strips = [][]byte{encodeT4(small[0], o)}
		f.Add(b.bytes())
	}
	golden, _ := filepath.Glob("testdata/*.tif")
	for _, g := range golden {
		if b, err := os.ReadFile(g); err == nil && len(b) < 16<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pages, err := Read(bytes.NewReader(data), int64(len(data)))
		if err == nil {
			for i, p := range pages {
				if p.Width <= 0 || p.Width > MaxWidth || p.Height <= 0 || p.Height > MaxHeight ||
					p.Stride != (p.Width+7)/8 || len(p.Pix) != p.Stride*p.Height {
					t.Fatalf("page %d: inconsistent %d×%d stride %d len %d", i, p.Width, p.Height, p.Stride, len(p.Pix))
				}
			}
		} else if ProblemOf(err) == "" {
			t.Fatalf("unclassified error from an in-memory read: %v", err)
		}
		_, verr := ValidateReader(bytes.NewReader(data), int64(len(data)), ValidateOptions{})
		if verr != nil && ProblemOf(verr) == "" {
			t.Fatalf("unclassified validation error: %v", verr)
		}
		if err != nil && verr == nil {
			t.Fatalf("Validate accepts a file Read rejects: %v", err)
		}
	})
}

// FuzzDecodeCCITT decodes arbitrary bits in every coding. Whatever decodes
// must survive a T.6 round trip unchanged (the decoder produced a real
// bilevel image, with no state leaking between rows).
func FuzzDecodeCCITT(f *testing.F) {
	p := textPage(100, 30, Fine, 1, 1)
	f.Add(EncodeG4(p), uint8(2), uint8(100), uint8(30))
	for i, o := range t4Variants {
		f.Add(encodeT4(p, o), uint8(i), uint8(100), uint8(30))
	}
	f.Fuzz(func(t *testing.T, data []byte, mode, w, h uint8) {
		width, height := int(w)+1, int(h)%64+1
		c := coding(mode % 3)
		got := NewPage(width, height, Fine)
		if err := decodeCCITT(data, c, mode&4 != 0, mode&8 != 0, got, 0, height); err != nil {
			return
		}
		again := NewPage(width, height, Fine)
		if err := decodeCCITT(EncodeG4(got), codingT6, false, false, again, 0, height); err != nil {
			t.Fatalf("re-decoding our own coding: %v", err)
		}
		if d := Equal(got, again); d != 0 {
			t.Fatalf("%d pixels differ after a T.6 round trip", d)
		}
	})
}
