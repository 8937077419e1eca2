package faxtiff

import (
	"bytes"
	"testing"
)

// BenchmarkEncodeG4 codes a dense text page, A4 fine (1728×2287, about
// 6400 characters). ns/op is per page; MB/s is of raw 1-bit pixels.
func BenchmarkEncodeG4(b *testing.B) {
	p := textPage(WidthA4, Fine.A4Rows(), Fine, 2, 3)
	b.SetBytes(int64(len(p.Pix)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(EncodeG4(p))
	}
	b.ReportMetric(float64(n), "coded-bytes/page")
}

// BenchmarkRead parses and decodes a one-page file of that page in each
// coding the engine meets: ours (T.6) and spandsp's receive format
// (T.4 2D, fill bits, FillOrder 2). MB/s is of decoded raw pixels.
func BenchmarkRead(b *testing.B) {
	p := textPage(WidthA4, Fine.A4Rows(), Fine, 2, 3)
	var g4 bytes.Buffer
	if err := Write(&g4, []*Page{p}); err != nil {
		b.Fatal(err)
	}
	t4 := newBuilder(false)
	d := t4.addDir(p.Width, p.Height, 1, 3)
	d.set(tagXResolution, typeRational, 204, 1)
	d.set(tagYResolution, typeRational, 196, 1)
	d.set(tagFillOrder, typeShort, 2)
	d.set(tagT4Options, typeLong, 5)
	d.strips = [][]byte{encodeT4(p, t4Opts{coding: codingT4, twoD: true, k: 4, fillBits: true, lsb: true})}
	files := []struct {
		name string
		data []byte
	}{{"T6", g4.Bytes()}, {"T4-2D-LSB", t4.bytes()}}
	for _, f := range files {
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(p.Pix)))
			b.ReportAllocs()
			for b.Loop() {
				pages, err := Read(bytes.NewReader(f.data), int64(len(f.data)))
				if err != nil || Equal(pages[0], p) != 0 {
					b.Fatal("bad decode", err)
				}
			}
		})
	}
}

// BenchmarkValidate checks a 10-page fine file (headers and data).
func BenchmarkValidate(b *testing.B) {
	p := textPage(WidthA4, Fine.A4Rows(), Fine, 2, 3)
	pages := make([]*Page, 10)
	for i := range pages {
		pages[i] = p
	}
	var buf bytes.Buffer
	if err := Write(&buf, pages); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ValidateReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()), ValidateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
