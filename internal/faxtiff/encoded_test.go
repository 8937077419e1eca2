package faxtiff

import (
	"bytes"
	"testing"
)

// TestEncoded: a page held encoded decodes to the same pixels, and a file
// of encoded pages is byte for byte the file Write makes of the pixels;
// ReadEachRaw hands back the stored T.6 data of such a file as it was
// encoded, and decodes pages like ReadEach.
func TestEncoded(t *testing.T) {
	pages := []*Page{textPage(WidthA4, Fine.A4Rows(), Fine, 2, 3), textPage(WidthA4, Standard.A4Rows(), Standard, 1, 5)}
	var enc []*Encoded
	for _, p := range pages {
		e := Encode(p)
		q, err := e.Decode()
		if err != nil {
			t.Fatal(err)
		}
		if d := Equal(p, q); d != 0 || q.YDPI != p.YDPI || e.Resolution() != p.Resolution() {
			t.Fatalf("decoded page differs by %d pixels (%g dpi)", d, q.YDPI)
		}
		enc = append(enc, e)
	}
	var a, b bytes.Buffer
	if err := Write(&a, pages); err != nil {
		t.Fatal(err)
	}
	if err := WriteEncoded(&b, enc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("WriteEncoded and Write differ")
	}
	n := 0
	err := ReadEachRaw(bytes.NewReader(a.Bytes()), int64(a.Len()), func(i int, rp *RawPage) error {
		n++
		e, ok := rp.G4()
		if !ok || !bytes.Equal(e.Data, enc[i].Data) || e.Width != WidthA4 || e.Height != pages[i].Height {
			t.Errorf("page %d: stored data not handed back (ok %v)", i+1, ok)
		}
		p, err := rp.Decode()
		if err != nil {
			return err
		}
		if d := Equal(p, pages[i]); d != 0 {
			t.Errorf("page %d decodes with %d pixels different", i+1, d)
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("ReadEachRaw: %v after %d pages", err, n)
	}
	// Bad encoded pages are errors, not panics.
	for name, e := range map[string]*Encoded{
		"nil": nil, "empty": {Width: 1728, Height: 10, XDPI: 204, YDPI: 196},
		"garbage": {Width: 1728, Height: 10, XDPI: 204, YDPI: 196, Data: []byte{0x00, 0x00, 0x00, 0x00}},
		"no dpi":  {Width: 1728, Height: 10, Data: enc[0].Data},
	} {
		if _, err := e.Decode(); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if err := WriteEncoded(&b, []*Encoded{{Width: 0, Height: 5}}); err == nil {
		t.Error("WriteEncoded accepted an empty page")
	}
}
