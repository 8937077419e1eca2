package faxtiff

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Cross-checks against libtiff (Debian package libtiff-tools), the library
// spandsp 0.0.6 reads and writes its TIFF files with.

func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (Debian package %s)", name, pkg)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		t.Errorf("%s %s wrote to stderr (warnings or errors):\n%s", name, strings.Join(args, " "), s)
	}
	return stdout.String()
}

func interopPages() []*Page {
	pages := []*Page{
		textPage(WidthA4, Fine.A4Rows(), Fine, 2, 3),
		errorDiffusionPage(WidthA4, 200),
		runsPage(WidthA4),
		everyRunPage(WidthB4),
		edgePage(WidthA3, 50),
		checkerPage(WidthA4, 40, 1),
	}
	pages[1].YDPI = Standard.LPI()
	pages[4].YDPI = Superfine.LPI()
	return pages
}

// TestLibtiffReadsOurFiles: libtiff must parse our file without a single
// warning, decode every page to the same pixels, and see TIFF-F fields.
func TestLibtiffReadsOurFiles(t *testing.T) {
	needTool(t, "tiffinfo", "libtiff-tools")
	needTool(t, "tiffcp", "libtiff-tools")
	dir := t.TempDir()
	ours := filepath.Join(dir, "ours.tif")
	pages := interopPages()
	if err := WriteFile(ours, pages); err != nil {
		t.Fatal(err)
	}
	info := run(t, "tiffinfo", "-D", ours) // -D decodes all data: any T.6 error is reported
	for _, want := range []string{"Compression Scheme: CCITT Group 4", "Photometric Interpretation: min-is-white",
		"FillOrder: msb-to-lsb", "Subfile Type: multi-page document", "Page Number: 5-6",
		"Resolution: 204, 196 pixels/inch", "Resolution: 204, 98 pixels/inch", "Resolution: 204, 391 pixels/inch",
		"Group 4 Options: (0 = 0x0)", "Software: faxgate", "Image Width: 2432 Image Length: 50"} {
		if !strings.Contains(info, want) {
			t.Errorf("tiffinfo output lacks %q:\n%s", want, info)
		}
	}
	if n := strings.Count(info, "=== TIFF directory"); n != len(pages) {
		t.Errorf("tiffinfo sees %d directories, want %d", n, len(pages))
	}
	// libtiff decodes; we compare its uncompressed output with the pages.
	raw := filepath.Join(dir, "raw.tif")
	run(t, "tiffcp", "-c", "none", ours, raw)
	got, err := ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pages {
		if d := Equal(pages[i], got[i]); d != 0 {
			t.Errorf("page %d: libtiff decodes %d differing pixels", i+1, d)
		}
	}
	if dump := run(t, "tiffdump", ours); !strings.Contains(dump, "Compression (259) SHORT (3) 1<4>") {
		t.Errorf("tiffdump: unexpected Compression entry:\n%s", dump[:min(len(dump), 800)])
	}
}

// TestReadLibtiffCodings: libtiff codes pages in every way spandsp and
// other libtiff users store them; we must read back the same pixels.
func TestReadLibtiffCodings(t *testing.T) {
	needTool(t, "tiffcp", "libtiff-tools")
	dir := t.TempDir()
	pages := interopPages()[:4]
	pages = append(pages, edgePage(1701, 31)) // odd width
	for _, minIsBlack := range []bool{false, true} {
		b := newBuilder(false)
		for _, p := range pages {
			b.addRaw(p, rawOpts{minIsBlack: minIsBlack})
		}
		src := filepath.Join(dir, "src.tif")
		if err := os.WriteFile(src, b.bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		variants := [][]string{
			{"-c", "g4"},
			{"-c", "g4", "-f", "lsb2msb"},
			{"-c", "g3"},
			{"-c", "g3:1d:fill"},
			{"-c", "g3:2d"},
			{"-c", "g3:2d:fill", "-f", "lsb2msb"}, // spandsp's receive format
			{"-c", "g3:2d", "-r", "16"},
			{"-c", "g4", "-r", "7", "-B"},
			{"-c", "lzw"},
			{"-c", "zip"},
			{"-c", "packbits", "-B"},
			{"-c", "none", "-f", "lsb2msb", "-r", "3"},
		}
		for _, v := range variants {
			name := strings.Join(v, " ")
			if minIsBlack {
				name += " minisblack"
			}
			t.Run(name, func(t *testing.T) {
				out := filepath.Join(dir, "out.tif")
				run(t, "tiffcp", append(append([]string{}, v...), src, out)...)
				got, err := ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(pages) {
					t.Fatalf("%d pages, want %d", len(got), len(pages))
				}
				for i := range pages {
					if d := Equal(pages[i], got[i]); d != 0 {
						t.Errorf("page %d: %d pixels differ (first at %s)", i+1, d, firstDiff(pages[i], got[i]))
					}
				}
			})
		}
	}
}

// TestG4IdenticalToLibtiff: T.6 leaves the coder no freedom (the mode
// follows from the changing elements, runs use the longest make-up code),
// so our strip must be byte-identical to libtiff's, EOFB included.
func TestG4IdenticalToLibtiff(t *testing.T) {
	needTool(t, "tiffcp", "libtiff-tools")
	dir := t.TempDir()
	for i, p := range append(interopPages(), runsPage(7000), noisePage(3000, 50, 0.3, 9)) {
		b := newBuilder(false)
		b.addRaw(p, rawOpts{})
		src, out := filepath.Join(dir, "src.tif"), filepath.Join(dir, "g4.tif")
		if err := os.WriteFile(src, b.bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, "tiffcp", "-c", "g4", "-r", "100000", src, out)
		theirs := stripBytes(t, out)
		ours := EncodeG4(p)
		if !bytes.Equal(ours, theirs) {
			t.Errorf("page %d (%dx%d): our T.6 strip (%d bytes) differs from libtiff's (%d bytes)", i+1, p.Width, p.Height, len(ours), len(theirs))
		}
	}
}

// stripBytes returns the raw data of the single strip of a one-page file.
func stripBytes(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	tf, dirs, err := openTIFF(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	d, err := tf.readDir(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(d.stripOffsets) != 1 {
		t.Fatalf("%s has %d strips", path, len(d.stripOffsets))
	}
	b, err := tf.bytesAt(int64(d.stripOffsets[0]), int64(d.stripCounts[0]))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
