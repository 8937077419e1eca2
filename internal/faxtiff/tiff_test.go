package faxtiff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReadRoundTrip(t *testing.T) {
	pages := []*Page{
		textPage(WidthA4, Fine.A4Rows(), Fine, 2, 3),
		textPage(WidthA4, Standard.A4Rows(), Standard, 1, 1),
		ditherPage(WidthB4, 300),
		allPage(WidthA3, 10, true),
		edgePage(1701, 33), // odd width: padding bits, odd strip lengths
	}
	pages[2].YDPI = Superfine.LPI()
	path := filepath.Join(t.TempDir(), "out.tif")
	if err := WriteFile(path, pages); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(pages) {
		t.Fatalf("read %d pages, wrote %d", len(got), len(pages))
	}
	for i := range pages {
		if d := Equal(pages[i], got[i]); d != 0 {
			t.Errorf("page %d: %d pixels differ", i+1, d)
		}
		if got[i].XDPI != pages[i].XDPI || got[i].YDPI != pages[i].YDPI {
			t.Errorf("page %d: resolution %gx%g, wrote %gx%g", i+1, got[i].XDPI, got[i].YDPI, pages[i].XDPI, pages[i].YDPI)
		}
	}
}

// TestWriteLayout checks the TIFF-F fields of the written file byte by
// byte, independently of our reader.
func TestWriteLayout(t *testing.T) {
	p1 := textPage(WidthA4, 200, Fine, 1, 1)
	p2 := NewPage(WidthA4, 100, Standard)
	var buf bytes.Buffer
	if err := Write(&buf, []*Page{p1, p2}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	le := binary.LittleEndian
	if string(b[:4]) != "II*\x00" {
		t.Fatalf("header % x", b[:4])
	}
	off := le.Uint32(b[4:])
	want := []map[uint16][]uint32{
		{254: {2}, 256: {1728}, 257: {200}, 258: {1}, 259: {4}, 262: {0}, 266: {1}, 277: {1}, 278: {200}, 282: {204, 1}, 283: {196, 1}, 293: {0}, 296: {2}, 297: {0, 2}},
		{254: {2}, 256: {1728}, 257: {100}, 258: {1}, 259: {4}, 262: {0}, 266: {1}, 277: {1}, 278: {100}, 282: {204, 1}, 283: {98, 1}, 293: {0}, 296: {2}, 297: {1, 2}},
	}
	for page := 0; off != 0; page++ {
		if off%2 != 0 {
			t.Errorf("IFD %d at odd offset %d", page, off)
		}
		n := int(le.Uint16(b[off:]))
		fields := map[uint16][]uint32{}
		prevTag := uint16(0)
		for k := range n {
			e := b[int(off)+2+12*k:]
			tag, typ, cnt := le.Uint16(e), le.Uint16(e[2:]), le.Uint32(e[4:])
			if tag <= prevTag {
				t.Errorf("IFD %d: tag %d after %d: tags must ascend", page, tag, prevTag)
			}
			prevTag = tag
			switch {
			case typ == typeShort && cnt <= 2:
				for i := range cnt {
					fields[tag] = append(fields[tag], uint32(le.Uint16(e[8+2*i:])))
				}
			case typ == typeLong && cnt == 1:
				fields[tag] = []uint32{le.Uint32(e[8:])}
			case typ == typeRational:
				v := le.Uint32(e[8:])
				fields[tag] = []uint32{le.Uint32(b[v:]), le.Uint32(b[v+4:])}
			case typ == typeASCII:
				v := le.Uint32(e[8:])
				fields[tag] = []uint32{uint32(len(strings.TrimRight(string(b[v:v+cnt]), "\x00")))}
				if s := string(b[v : v+cnt]); s != "faxgate\x00" {
					t.Errorf("Software = %q", s)
				}
			}
		}
		for tag, v := range want[page] {
			if got := fields[tag]; !equalU32(got, v) {
				t.Errorf("page %d tag %d = %v, want %v", page+1, tag, got, v)
			}
		}
		so, sc := fields[tagStripOffsets], fields[tagStripByteCounts]
		if len(so) != 1 || len(sc) != 1 || int(so[0]+sc[0]) > len(b) {
			t.Fatalf("page %d: strip %v+%v outside %d-byte file", page+1, so, sc, len(b))
		}
		pages := []*Page{p1, p2}
		if strip := b[so[0] : so[0]+sc[0]]; !bytes.Equal(strip, EncodeG4(pages[page])) {
			t.Errorf("page %d: strip is not EncodeG4 of the page", page+1)
		}
		off = le.Uint32(b[int(off)+2+12*n:])
	}
}

func equalU32(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWriteRejects(t *testing.T) {
	tests := []struct {
		name  string
		pages []*Page
		want  string
	}{
		{"no pages", nil, "no pages"},
		{"nil page", []*Page{nil}, "page 1: nil page"},
		{"empty", []*Page{NewPage(WidthA4, 1, Fine), NewPage(0, 0, Fine)}, "page 2: size 0×0 is empty"},
		{"short buffer", []*Page{{Width: 16, Height: 2, Stride: 2, XDPI: 204, YDPI: 98, Pix: make([]byte, 3)}}, "pixel buffer has 3 bytes"},
		{"no resolution", []*Page{{Width: 16, Height: 2, Stride: 2, Pix: make([]byte, 4)}}, "resolution 0x0 dpi is not set"},
	}
	for _, tc := range tests {
		err := Write(&bytes.Buffer{}, tc.pages)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

// TestWriteFileAtomic checks that a failed write leaves no file behind and
// an old file untouched.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.tif")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []*Page{NewPage(0, 0, Fine)}); err == nil {
		t.Fatal("WriteFile accepted an empty page")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("failed WriteFile changed the old file to %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("failed WriteFile left %d files in the directory", len(ents))
	}
	if err := WriteFile(path, []*Page{NewPage(WidthA4, 10, Fine)}); err != nil {
		t.Fatal(err)
	}
	if _, err := Validate(path); err != nil {
		t.Errorf("written file does not validate: %v", err)
	}
}

// TestReadVariants reads pages stored in the ways other writers store them.
func TestReadVariants(t *testing.T) {
	page := textPage(WidthA4, 120, Fine, 1, 1)
	tests := []struct {
		name string
		big  bool
		opts rawOpts
	}{
		{"raw-II", false, rawOpts{}},
		{"raw-MM", true, rawOpts{}},
		{"raw-minisblack", false, rawOpts{minIsBlack: true}},
		{"raw-fillorder2", false, rawOpts{fillOrder2: true}},
		{"raw-strips-7", true, rawOpts{rowsPerStrip: 7}},
		{"raw-strips-1", false, rawOpts{rowsPerStrip: 1, minIsBlack: true, fillOrder2: true}},
		{"packbits", false, rawOpts{packBits: true, rowsPerStrip: 50}},
		{"packbits-MM", true, rawOpts{packBits: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBuilder(tc.big)
			b.addRaw(page, tc.opts)
			b.addRaw(checkerPage(WidthA4, 9, 5), tc.opts)
			data := b.bytes()
			got, err := Read(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("%d pages, want 2", len(got))
			}
			if d := Equal(page, got[0]); d != 0 {
				t.Errorf("page 1: %d pixels differ", d)
			}
			if d := Equal(checkerPage(WidthA4, 9, 5), got[1]); d != 0 {
				t.Errorf("page 2: %d pixels differ", d)
			}
		})
	}
}

// TestReadCorrupt feeds broken files; each must fail with a clear error,
// never panic or allocate wildly.
func TestReadCorrupt(t *testing.T) {
	good := func() *tiffBuilder {
		b := newBuilder(false)
		b.addRaw(NewPage(WidthA4, 4, Fine), rawOpts{})
		return b
	}
	var g4 bytes.Buffer
	if err := Write(&g4, []*Page{textPage(WidthA4, 300, Fine, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    func() []byte
		want    string
		problem Problem
	}{
		{"empty", func() []byte { return nil }, "not a TIFF file", ProblemNotTIFF},
		{"pdf", func() []byte { return []byte("%PDF-1.4\n...") }, "not a TIFF file", ProblemNotTIFF},
		{"bigtiff", func() []byte { return []byte("II+\x00\x08\x00\x00\x00\x00\x00\x00\x00") }, "BigTIFF", ProblemFormat},
		{"no IFD", func() []byte { return []byte("II*\x00\x00\x00\x00\x00") }, "no pages", ProblemNoPages},
		{"IFD outside", func() []byte { return []byte("II*\x00\xff\xff\x00\x00") }, "outside", ProblemCorrupt},
		{"IFD loop", func() []byte {
			b := good().bytes()
			ifd := binary.LittleEndian.Uint32(b[4:])
			n := binary.LittleEndian.Uint16(b[ifd:])
			binary.LittleEndian.PutUint32(b[ifd+2+12*uint32(n):], ifd)
			return b
		}, "points back", ProblemCorrupt},
		{"huge", func() []byte {
			b := good()
			b.dirs[0].set(tagImageLength, typeLong, 1<<30)
			return b.bytes()
		}, "at most 10000×20000", ProblemImageSize},
		{"zero width", func() []byte {
			b := good()
			b.dirs[0].set(tagImageWidth, typeLong, 0)
			return b.bytes()
		}, "empty size", ProblemCorrupt},
		{"strip outside", func() []byte {
			b := good()
			b.dirs[0].strips = nil
			b.dirs[0].set(tagStripOffsets, typeLong, 100)
			b.dirs[0].set(tagStripByteCounts, typeLong, 1<<31)
			return b.bytes()
		}, "outside", ProblemCorrupt},
		{"no strips", func() []byte {
			b := good()
			b.dirs[0].strips = nil
			return b.bytes()
		}, "no StripOffsets", ProblemCorrupt},
		{"short raw strip", func() []byte {
			b := good()
			b.dirs[0].strips[0] = b.dirs[0].strips[0][:100]
			return b.bytes()
		}, "uncompressed data of 100 bytes cannot hold 4 rows of 1728 pixels", ProblemCorrupt},
		{"8 bit", func() []byte {
			b := good()
			b.dirs[0].set(tagBitsPerSample, typeShort, 8)
			return b.bytes()
		}, "8 bits per pixel", ProblemBitsPerPixel},
		{"rgb", func() []byte {
			b := good()
			b.dirs[0].set(tagSamplesPerPixel, typeShort, 3)
			return b.bytes()
		}, "3 samples per pixel", ProblemBitsPerPixel},
		{"tiled", func() []byte {
			b := good()
			b.dirs[0].set(tagTileWidth, typeLong, 256)
			return b.bytes()
		}, "tiles", ProblemFormat},
		{"jpeg", func() []byte {
			b := good()
			b.dirs[0].set(tagCompression, typeShort, 7)
			return b.bytes()
		}, "compression 7", ProblemFormat},
		{"truncated G4", func() []byte { return g4.Bytes()[:g4.Len()-1500] }, "", ProblemCorrupt},
		{"garbled G4", func() []byte {
			b := bytes.Clone(g4.Bytes())
			for i := 400; i < 420; i++ {
				b[i] = 0
			}
			return b
		}, "CCITT T.6 data: row", ProblemCorrupt},
		{"unknown type", func() []byte {
			b := good()
			b.dirs[0].set(tagImageWidth, 99, 1728)
			return b.bytes()
		}, "tag 256 has unknown type 99", ProblemCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data()
			_, err := Read(bytes.NewReader(data), int64(len(data)))
			if err == nil {
				t.Fatal("Read accepted the file")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
			if got := ProblemOf(err); got != tc.problem {
				t.Errorf("ProblemOf = %q, want %q (error %q)", got, tc.problem, err)
			}
		})
	}
	if _, err := Read(bytes.NewReader(nil), 0); !errors.Is(err, ErrNotTIFF) {
		t.Errorf("empty input: %v, want ErrNotTIFF", err)
	}
}
