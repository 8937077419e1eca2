package faxtiff

import (
	"bytes"
	"testing"
)

// TestPageWriter: pages written one at a time make the same file, byte
// for byte, as WriteEncoded with all of them; the count announced is
// enforced both ways.
func TestPageWriter(t *testing.T) {
	var pages []*Encoded
	for i := range 3 {
		pages = append(pages, Encode(textPage(1728, 300+i*7, Fine, 2+i, 3)))
	}
	var want bytes.Buffer
	if err := WriteEncoded(&want, pages); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	pw, err := NewPageWriter(&got, len(pages))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range pages {
		if err := pw.WritePage(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.WritePage(pages[0]); err == nil {
		t.Error("a page beyond the announced count was accepted")
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("PageWriter wrote %d bytes unlike WriteEncoded's %d", got.Len(), want.Len())
	}
	back, err := Read(bytes.NewReader(got.Bytes()), int64(got.Len()))
	if err != nil || len(back) != 3 {
		t.Fatalf("read back: %d pages, %v", len(back), err)
	}

	short, _ := NewPageWriter(&bytes.Buffer{}, 2)
	short.WritePage(pages[0])
	if err := short.Close(); err == nil {
		t.Error("a file with a page missing closed without error")
	}
	if _, err := NewPageWriter(&bytes.Buffer{}, 0); err == nil {
		t.Error("a file of no pages was started")
	}
	bad, _ := NewPageWriter(&bytes.Buffer{}, 1)
	if err := bad.WritePage(&Encoded{Width: 1728, Height: 10, XDPI: 204, YDPI: 196}); err == nil {
		t.Error("a page without data was written")
	}
	if err := bad.Close(); err == nil {
		t.Error("Close after a failed page succeeded")
	}
}
