package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"faxgate/internal/faxtiff"
)

// TestFaxLoopbackAnyDocument sends files that are not TIFF-F through
// `faxgate fax loopback`: the documents engine converts them first, at
// --quality, as an uploaded document.
func TestFaxLoopbackAnyDocument(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "memo.txt")
	if err := os.WriteFile(text, []byte("Memo\n\nThe fax machine on floor 3 is back.\nGrüße, José\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 400, 560))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 40; y < 80; y++ {
		for x := 40; x < 360; x++ {
			img.SetGray(x, y, color.Gray{})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	// The content decides, not the name: a PNG called .dat is a PNG.
	picture := filepath.Join(dir, "scan.dat")
	if err := os.WriteFile(picture, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// A TIFF that is not TIFF-F (1700 dots wide) becomes fax pages too.
	narrow := filepath.Join(dir, "narrow.tif")
	if err := faxtiff.WriteFile(narrow, []*faxtiff.Page{faxtiff.NewPage(1700, 1143, faxtiff.Standard)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, quality string }{{text, "standard"}, {picture, "superfine"}, {narrow, "fine"}} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			var out, errOut bytes.Buffer
			rx := filepath.Join(t.TempDir(), "rx.tif")
			err := runFax(context.Background(), []string{"loopback", "--quality", tc.quality, "--out", rx, tc.file}, &out, &errOut)
			if err != nil {
				t.Fatalf("loopback: %v\n%s", err, errOut.String())
			}
			var rep callReport
			decodeOne(t, out.String(), &rep)
			if !rep.OK || rep.Pages != 1 || rep.Code != 0 {
				t.Errorf("report %+v", rep)
			}
			if st, err := os.Stat(rx); err != nil || st.Size() == 0 {
				t.Errorf("received file: %v", err)
			}
		})
	}
	t.Run("unsupported file", func(t *testing.T) {
		bin := filepath.Join(dir, "tool.pdf")
		if err := os.WriteFile(bin, append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 300)...), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		err := runFax(context.Background(), []string{"loopback", bin}, &out, &errOut)
		var ee exitError
		if !errors.As(err, &ee) || ee.code != 1 || out.Len() != 0 ||
			!strings.Contains(errOut.String(), "unsupported file type") {
			t.Errorf("ELF as PDF: %v, stdout %q, stderr %q", err, out.String(), errOut.String())
		}
	})
	t.Run("bad quality", func(t *testing.T) {
		var out, errOut bytes.Buffer
		err := runFax(context.Background(), []string{"loopback", "--quality", "ultra", text}, &out, &errOut)
		var ee exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(errOut.String(), "--quality") {
			t.Errorf("--quality ultra: %v %q", err, errOut.String())
		}
	})
}
