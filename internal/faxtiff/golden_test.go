package faxtiff

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestReadGolden reads files coded by Ghostscript and libtiff (see
// testdata/README) and compares them with Ghostscript's raw rendering.
func TestReadGolden(t *testing.T) {
	want := readPBMs(t, "testdata/gs.pbm.gz")
	if len(want) != 2 {
		t.Fatalf("reference has %d pages, want 2", len(want))
	}
	files := []string{"gs-g4.tif", "gs-g32d.tif", "gs-g3.tif", "gs-crle.tif", "libtiff-g32d-lsb.tif", "libtiff-g4-lsb-mm.tif",
		"spandsp-rx-t42d.tif", "spandsp-rx-t6.tif"}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			got, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d pages, want %d", len(got), len(want))
			}
			for i := range want {
				if d := Equal(want[i], got[i]); d != 0 {
					t.Errorf("page %d: %d pixels differ from Ghostscript's rendering (first at %s)", i+1, d, firstDiff(want[i], got[i]))
				}
				if got[i].Resolution() != Fine || got[i].XDPI != 204 {
					t.Errorf("page %d: %gx%g dpi", i+1, got[i].XDPI, got[i].YDPI)
				}
			}
			if info, err := Validate(path); err != nil || info.Pages != 2 || info.Width != WidthA4 || info.Resolution != Fine {
				t.Errorf("Validate = %+v, %v", info, err)
			}
		})
	}
	// Our encoder codes Ghostscript's pages exactly as Ghostscript did.
	f, err := os.Open("testdata/gs-g4.tif")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	tf, dirs, err := openTIFF(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	for i, off := range dirs {
		d, err := tf.readDir(off)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := tf.bytesAt(int64(d.stripOffsets[0]), int64(d.stripCounts[0]))
		if err != nil {
			t.Fatal(err)
		}
		if ours := EncodeG4(want[i]); !bytes.Equal(ours, theirs) {
			t.Errorf("page %d: EncodeG4 gives %d bytes, Ghostscript's T.6 strip has %d", i+1, len(ours), len(theirs))
		}
	}
	// The reference must not be blank, or the comparisons prove nothing.
	black := 0
	for _, p := range want {
		black += Equal(p, NewPage(p.Width, p.Height, Fine))
	}
	if black < 5000 {
		t.Errorf("reference pages have only %d black pixels", black)
	}
}

// readPBMs reads concatenated binary PBM (P4) images: 1 = black, rows
// padded to a byte, as in Page.
func readPBMs(t *testing.T, path string) []*Page {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(zr)
	var pages []*Page
	for {
		magic, err := pbmToken(r)
		if err == io.EOF {
			return pages
		}
		if err != nil || magic != "P4" {
			t.Fatalf("PBM %d: magic %q, %v", len(pages)+1, magic, err)
		}
		var w, h int
		for _, v := range []*int{&w, &h} {
			tok, err := pbmToken(r)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fmt.Sscan(tok, v); err != nil {
				t.Fatalf("PBM size %q: %v", tok, err)
			}
		}
		p := NewPage(w, h, Fine)
		if _, err := io.ReadFull(r, p.Pix); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
	}
}

// pbmToken reads a header token, skipping whitespace and # comments, and
// consumes the single whitespace byte after it.
func pbmToken(r *bufio.Reader) (string, error) {
	var tok []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			if len(tok) > 0 {
				return string(tok), nil
			}
			return "", err
		}
		switch {
		case c == '#' && len(tok) == 0:
			if _, err := r.ReadString('\n'); err != nil {
				return "", err
			}
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
			if len(tok) > 0 {
				return string(tok), nil
			}
		default:
			tok = append(tok, c)
		}
	}
}
