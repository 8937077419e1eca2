package document

import (
	"bytes"
	"testing"
)

// FuzzDetect feeds arbitrary bytes to the parsers that read untrusted
// headers before any decoder runs: type detection, the TIFF directory walk
// and the image metadata readers. They must never panic, and a detected
// TIFF must list pages within the limit.
func FuzzDetect(f *testing.F) {
	for _, seed := range [][]byte{
		[]byte("%PDF-1.7\n"), []byte("II*\x00\x08\x00\x00\x00\x01\x00\x00\x01\x04\x00\x01\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"),
		[]byte("MM\x00*\x00\x00\x00\x08"), hugePNG(10, 10), []byte("\xFF\xD8\xFF\xE1\x00\x10Exif\x00\x00II*\x00\x08\x00\x00\x00"),
		[]byte("PK\x03\x04"), ole("WordDocument"), []byte("BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00"),
		greyTIFF(nil, 100),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		format, _ := Detect(r, int64(len(b)))
		if format == FormatTIFF {
			pages, _, err := tiffPages(r, int64(len(b)), 5)
			if err == nil && len(pages) > 5 {
				t.Fatalf("%d pages past a limit of 5", len(pages))
			}
		}
		for _, f := range []Format{FormatPNG, FormatJPEG, FormatBMP} {
			readImageMeta(f, r, int64(len(b)))
		}
	})
}
