package document

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/bmp"
	xtiff "golang.org/x/image/tiff"

	"faxgate/internal/faxtiff"
)

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withPHYs inserts a pHYs chunk (dpi) after a PNG's IHDR.
func withPHYs(pngData []byte, dpi float64) []byte {
	ppm := uint32(dpi/0.0254 + 0.5)
	data := make([]byte, 9)
	binary.BigEndian.PutUint32(data, ppm)
	binary.BigEndian.PutUint32(data[4:], ppm)
	data[8] = 1
	var chunk bytes.Buffer
	binary.Write(&chunk, binary.BigEndian, uint32(9))
	chunk.WriteString("pHYs")
	chunk.Write(data)
	crc := crc32IEEE(append([]byte("pHYs"), data...))
	binary.Write(&chunk, binary.BigEndian, crc)
	ihdrEnd := 8 + 8 + 13 + 4
	return append(append(append([]byte{}, pngData[:ihdrEnd]...), chunk.Bytes()...), pngData[ihdrEnd:]...)
}

// withEXIFOrientation inserts an EXIF APP1 segment with an orientation tag
// after a JPEG's SOI marker.
func withEXIFOrientation(jpg []byte, o uint16) []byte {
	var t bytes.Buffer
	t.WriteString("Exif\x00\x00II*\x00")
	binary.Write(&t, binary.LittleEndian, uint32(8))
	binary.Write(&t, binary.LittleEndian, uint16(1))
	binary.Write(&t, binary.LittleEndian, []uint16{0x0112, 3})
	binary.Write(&t, binary.LittleEndian, uint32(1))
	binary.Write(&t, binary.LittleEndian, []uint16{o, 0})
	binary.Write(&t, binary.LittleEndian, uint32(0))
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(t.Len()+2))
	seg = append(seg, t.Bytes()...)
	return append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
}

// markerImage is a portrait picture with a black square in its top-left
// corner and a grey ramp in its lower half.
func markerImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{255, 255, 255, 255}
			switch {
			case x < w/5 && y < w/5:
				c = color.RGBA{0, 0, 0, 255}
			case y >= h/2:
				v := uint8(255 - 255*x/w)
				c = color.RGBA{v, v, v, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// TestImageFormats: every raster format becomes one page of the paper's
// length with the picture inside the margins, the photo dithered.
func TestImageFormats(t *testing.T) {
	ph := photo(300, 400)
	var gifBuf, bmpBuf bytes.Buffer
	pal := image.NewPaletted(ph.Bounds(), palette16())
	for y := range 400 {
		for x := range 300 {
			pal.Set(x, y, ph.At(x, y))
		}
	}
	gif.Encode(&gifBuf, pal, nil)
	bmp.Encode(&bmpBuf, ph)
	webp, err := os.ReadFile("testdata/photo.webp")
	if err != nil {
		t.Fatal(err)
	}
	gray16 := image.NewGray16(ph.Bounds())
	for y := range 400 {
		for x := range 300 {
			gray16.Set(x, y, ph.At(x, y))
		}
	}
	files := []namedFile{
		file("photo.png", encodePNG(t, ph)),
		file("photo16.png", encodePNG(t, gray16)),
		file("photo.jpg", encodeJPEG(t, ph)),
		file("photo.gif", gifBuf.Bytes()),
		file("photo.bmp", bmpBuf.Bytes()),
		file("photo.webp", webp),
	}
	for _, f := range files {
		for _, r := range []faxtiff.Resolution{faxtiff.Standard, faxtiff.Fine} {
			t.Run(f.name+"/"+r.String(), func(t *testing.T) {
				res := mustConvert(t, Options{Resolution: r}, f)
				if len(res.Pages) != 1 || res.Sources[0].Format != Format(formatOf(f.name)) {
					t.Fatalf("%d pages, sources %+v", len(res.Pages), res.Sources)
				}
				p := res.Pages[0]
				if p.Height != r.A4Rows() {
					t.Errorf("%d rows, want an A4 page (%d)", p.Height, r.A4Rows())
				}
				// Picture area: ink of a photo, mixed tones (dithered).
				if c := ink(p, 0.1, 0.1, 0.9, 0.8); c < 0.2 || c > 0.8 {
					t.Errorf("picture ink %.2f, want 0.2-0.8", c)
				}
				// Margins stay white.
				if c := ink(p, 0, 0, 1, 0.02); c != 0 {
					t.Errorf("top margin has ink %.3f", c)
				}
			})
		}
	}
}

func formatOf(name string) string {
	switch ext := name[bytes.LastIndexByte([]byte(name), '.')+1:]; ext {
	case "jpg":
		return "jpeg"
	default:
		if ext == "png" || ext == "gif" || ext == "bmp" || ext == "webp" {
			return ext
		}
	}
	return "png"
}

func palette16() color.Palette {
	p := color.Palette{}
	for i := range 16 {
		v := uint8(i * 17)
		p = append(p, color.RGBA{v, v, v, 255})
	}
	return p
}

// TestImageOrientation: a landscape picture is turned clockwise (its
// top-left marker goes top-right); EXIF orientation is applied first.
func TestImageOrientation(t *testing.T) {
	portrait := image.NewRGBA(image.Rect(0, 0, 300, 400))
	for y := range 400 {
		for x := range 300 {
			c := color.RGBA{255, 255, 255, 255}
			if x < 60 && y < 60 {
				c = color.RGBA{0, 0, 0, 255}
			}
			portrait.Set(x, y, c)
		}
	}
	landscape := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for y := range 300 {
		for x := range 400 {
			c := color.RGBA{255, 255, 255, 255}
			if x < 60 && y < 60 {
				c = color.RGBA{0, 0, 0, 255}
			}
			landscape.Set(x, y, c)
		}
	}
	webp, err := os.ReadFile("testdata/marker.webp") // 120 x 80, marker top-left
	if err != nil {
		t.Fatal(err)
	}
	topLeft, topRight, bottomRight := [4]float64{0.05, 0.02, 0.3, 0.2}, [4]float64{0.7, 0.02, 0.95, 0.2}, [4]float64{0.75, 0.78, 0.95, 0.93}
	tests := []struct {
		name      string
		f         namedFile
		at, notAt [4]float64 // where the marker must be, and must not be
	}{
		{"portrait png", file("p.png", encodePNG(t, portrait)), topLeft, topRight},
		{"landscape png", file("l.png", encodePNG(t, landscape)), topRight, topLeft},
		{"landscape webp", file("l.webp", webp), topRight, topLeft},
		// Stored portrait, EXIF "upside down": marker bottom-right.
		{"jpeg exif 3", file("r.jpg", withEXIFOrientation(encodeJPEG(t, portrait), 3)), bottomRight, topLeft},
		// Stored portrait, EXIF "turn right to view": landscape, marker
		// top-right; then turned clockwise again for the fax: bottom-right.
		{"jpeg exif 6", file("r6.jpg", withEXIFOrientation(encodeJPEG(t, portrait), 6)), bottomRight, topLeft},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustConvert(t, Options{Resolution: faxtiff.Fine}, tt.f).Pages[0]
			if got := ink(p, tt.at[0], tt.at[1], tt.at[2], tt.at[3]); got < 0.15 {
				t.Errorf("ink %.2f in %v, want the marker there", got, tt.at)
			}
			if got := ink(p, tt.notAt[0], tt.notAt[1], tt.notAt[2], tt.notAt[3]); got > 0.05 {
				t.Errorf("ink %.2f in %v: the picture is turned the wrong way", got, tt.notAt)
			}
		})
	}
}

// TestImageScanGeometry: a 300 dpi A4 line-art scan is a page: it fills the
// fax width as A4 does (no margin added) and its lines stay solid.
func TestImageScanGeometry(t *testing.T) {
	scan := lineArt(2480, 3508)
	res := mustConvert(t, Options{Resolution: faxtiff.Standard}, file("scan.png", withPHYs(encodePNG(t, scan), 300)))
	p := res.Pages[0]
	if p.Height < 1142 || p.Height > 1144 {
		t.Fatalf("%d rows, want 1143 (A4)", p.Height)
	}
	x0, y0, x1, y1, _ := inkBox(p)
	// The frame is 124 px (of 2480) in from each side: 10.5 mm.
	checkNear(t, "frame left", float64(x0), 20+10.5*1728/215, 3)
	checkNear(t, "frame right", float64(x1), 20+(210-10.5)*1728/215, 3)
	checkNear(t, "frame top", float64(y0), 10.5*3.85, 2)
	checkNear(t, "frame bottom", float64(y1), (297-10.5)*3.85, 2)
	// A 2-pixel (0.17 mm) line at 300 dpi is less than a fax row at
	// standard resolution: it must still print, unbroken.
	mid := p.Height / 2
	for x := x0 + 10; x < x1-10; x++ {
		if !p.Black(x, mid-1) && !p.Black(x, mid) && !p.Black(x, mid+1) {
			t.Fatalf("thin horizontal line broken at x=%d", x)
		}
	}
}

// TestImageTransparency: transparent pixels are paper, not black.
func TestImageTransparency(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 200, 300))
	for y := 100; y < 120; y++ {
		for x := range 200 {
			img.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 255})
		}
	}
	res := mustConvert(t, Options{}, file("t.png", encodePNG(t, img)))
	c := ink(res.Pages[0], 0, 0, 1, 1)
	if c < 0.02 || c > 0.1 {
		t.Errorf("ink %.3f: want only the opaque bar (about 6 %% of the picture)", c)
	}
}

// TestImageGIFFirstFrame: an animation gives its first frame only.
func TestImageGIFFirstFrame(t *testing.T) {
	pal := color.Palette{color.White, color.Black}
	first := image.NewPaletted(image.Rect(0, 0, 100, 100), pal)
	second := image.NewPaletted(image.Rect(0, 0, 100, 100), pal)
	for i := range second.Pix {
		second.Pix[i] = 1 // all black
	}
	for x := range 100 {
		first.Pix[50*100+x] = 1 // one line
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{first, second}, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	res := mustConvert(t, Options{}, file("anim.gif", b.Bytes()))
	if len(res.Pages) != 1 {
		t.Fatalf("%d pages", len(res.Pages))
	}
	if c := ink(res.Pages[0], 0, 0, 1, 1); c > 0.05 {
		t.Errorf("ink %.3f: the second (black) frame was used", c)
	}
}

// TestImageBad: bombs and damage are refused with typed errors, bombs from
// the header alone.
func TestImageBad(t *testing.T) {
	good := encodePNG(t, photo(100, 100))
	jpg := encodeJPEG(t, photo(100, 100))
	tests := []struct {
		name string
		data []byte
		kind Kind
	}{
		{"png 50000x50000", hugePNG(50000, 50000), KindImageTooLarge},
		{"png 8000x8000", hugePNG(8000, 8000), KindImageTooLarge},
		{"truncated png", good[:len(good)/2], KindCorrupt},
		{"truncated jpeg", jpg[:len(jpg)/3], KindCorrupt},
		{"png bad crc", append(append([]byte{}, good[:40]...), bytes.Repeat([]byte{7}, 50)...), KindCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := convert(t, Options{}, file("bad.png", tt.data))
			runtime.ReadMemStats(&after)
			if KindOf(err) != tt.kind {
				t.Fatalf("err = %v (kind %q), want %q", err, KindOf(err), tt.kind)
			}
			if tt.kind == KindImageTooLarge {
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
					t.Errorf("refusing the bomb allocated %d MB; it must not decode", alloc>>20)
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("refusing the bomb took %v", d)
				}
			}
		})
	}
	// The budget is configurable.
	if _, err := convert(t, Options{MaxImagePixels: 5000}, file("small.png", good)); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("100x100 with a 5000-pixel budget: %v", err)
	}
}

// ---- TIFF ----

// TestTIFFFaxPassThrough: a fax TIFF already at the target geometry is
// taken bit for bit; at another resolution it is rescaled.
func TestTIFFFaxPassThrough(t *testing.T) {
	src := mustConvert(t, Options{Resolution: faxtiff.Fine},
		file("a.txt", []byte("A fax page of text.\nSecond line.\n")), file("b.png", encodePNG(t, photo(200, 300))))
	var buf bytes.Buffer
	if err := faxtiff.Write(&buf, src.Pages); err != nil {
		t.Fatal(err)
	}
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("fax.tif", buf.Bytes()))
	if len(res.Pages) != 2 {
		t.Fatalf("%d pages, want 2", len(res.Pages))
	}
	for i := range res.Pages {
		if d := faxtiff.Equal(res.Pages[i], src.Pages[i]); d != 0 {
			t.Errorf("page %d differs in %d pixels; want the page as it is", i+1, d)
		}
	}
	std := mustConvert(t, Options{Resolution: faxtiff.Standard}, file("fax.tif", buf.Bytes()))
	for i, p := range std.Pages {
		if d := p.Height - 1143; d < -1 || d > 1 {
			t.Errorf("standard page %d: %d rows, want 1143", i+1, p.Height)
		}
		a, b := ink(src.Pages[i], 0, 0, 1, 1), ink(p, 0, 0, 1, 1)
		if b < a*0.7 || b > a*1.4 {
			t.Errorf("standard page %d ink %.3f, fine original %.3f", i+1, b, a)
		}
	}
}

// TestTIFFGhostscriptT4: 1-bit T.4 2D pages (what fax software writes) are
// read by faxtiff and passed through unchanged.
func TestTIFFGhostscriptT4(t *testing.T) {
	gs := needGS(t)
	dir := t.TempDir()
	in, out := dir+"/in.ps", dir+"/out.tif"
	os.WriteFile(in, []byte(psTextPages(2)), 0o644)
	cmd := []string{"-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffg32d", "-r204x196", "-g1728x2287", "-sOutputFile=" + out, in}
	if b, err := runCmd(gs, cmd...); err != nil {
		t.Fatalf("gs: %v\n%s", err, b)
	}
	data, _ := os.ReadFile(out)
	want, err := faxtiff.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("g3.tif", data))
	if len(res.Pages) != 2 {
		t.Fatalf("%d pages", len(res.Pages))
	}
	for i := range want {
		if d := faxtiff.Equal(res.Pages[i], want[i]); d != 0 {
			t.Errorf("page %d differs in %d pixels", i+1, d)
		}
	}
}

// TestTIFFGreyAndColour: 8-bit grey multi-page (big-endian, uncompressed)
// and colour Deflate TIFFs.
func TestTIFFGreyAndColour(t *testing.T) {
	scan := lineArt(827, 1169) // A4 at 100 dpi
	ph := photo(400, 300)
	pg := image.NewGray(ph.Bounds())
	for y := range 300 {
		for x := range 400 {
			pg.Set(x, y, ph.At(x, y))
		}
	}
	grey := greyTIFF([]*image.Gray{scan, pg, scan}, 100)
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("grey.tif", grey))
	if len(res.Pages) != 3 {
		t.Fatalf("%d pages, want 3", len(res.Pages))
	}
	for _, i := range []int{0, 2} {
		x0, _, x1, _, _ := inkBox(res.Pages[i])
		// A4 scan: full A4 width (1688 px) centred; the frame is 5 % in.
		checkNear(t, "frame left", float64(x0), 20+0.05*1688, 4)
		checkNear(t, "frame right", float64(x1), 20+0.95*1688, 4)
	}
	// The 4 × 3 inch photo keeps its stated size, turned to portrait:
	// 3 inches (612 px) across, 4 inches (784 rows) down.
	p := res.Pages[1]
	x0, y0, x1, y1, _ := inkBox(p)
	checkNear(t, "photo width", float64(x1-x0), 3*204.1, 6)
	checkNear(t, "photo height", float64(y1-y0), 4*25.4*7.7, 6)
	if c := ink(p, float64(x0)/1728, float64(y0)/float64(p.Height), float64(x1)/1728, float64(y1)/float64(p.Height)); c < 0.2 || c > 0.8 {
		t.Errorf("photo ink %.2f, want a dithered picture", c)
	}
	var col bytes.Buffer
	if err := xtiff.Encode(&col, ph, &xtiff.Options{Compression: xtiff.Deflate, Predictor: true}); err != nil {
		t.Fatal(err)
	}
	res = mustConvert(t, Options{}, file("colour.tif", col.Bytes()))
	if len(res.Pages) != 1 || ink(res.Pages[0], 0.1, 0.1, 0.9, 0.9) < 0.08 {
		t.Errorf("colour TIFF: %d pages, ink %.3f", len(res.Pages), ink(res.Pages[0], 0.1, 0.1, 0.9, 0.9))
	}
}

// tiffClaiming returns a grey TIFF whose header claims w × h pixels.
func tiffClaiming(w, h uint32) []byte {
	b := greyTIFF([]*image.Gray{image.NewGray(image.Rect(0, 0, 4, 4))}, 100)
	// Entries start at offset 10; width and height are the first two LONGs.
	binary.BigEndian.PutUint32(b[10+8:], w)
	binary.BigEndian.PutUint32(b[10+12+8:], h)
	return b
}

func TestTIFFBad(t *testing.T) {
	pages := []*image.Gray{lineArt(100, 140), lineArt(100, 140), lineArt(100, 140)}
	three := greyTIFF(pages, 100)
	tests := []struct {
		name string
		data []byte
		opts Options
		kind Kind
	}{
		{"60000x60000", tiffClaiming(60000, 60000), Options{}, KindImageTooLarge},
		{"too many pages", three, Options{MaxPages: 2}, KindTooManyPages},
		{"truncated", three[:len(three)/2], Options{}, KindCorrupt},
		{"header only", []byte("II*\x00\x08\x00\x00\x00"), Options{}, KindCorrupt},
		{"no pages", []byte("II*\x00\x00\x00\x00\x00"), Options{}, KindNoPages},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := convert(t, tt.opts, file("bad.tif", tt.data))
			if KindOf(err) != tt.kind {
				t.Fatalf("err = %v (kind %q), want %q", err, KindOf(err), tt.kind)
			}
		})
	}
}

// TestImageGreyPaperScan: a scan of a letter on grey paper (level 205,
// with sensor noise) prints on white paper with crisp text, not as a
// dithered grey background.
func TestImageGreyPaperScan(t *testing.T) {
	const w, h = 1240, 1754 // A4 at 150 dpi
	img := image.NewGray(image.Rect(0, 0, w, h))
	seed := uint32(1)
	for i := range img.Pix {
		seed = seed*1664525 + 1013904223
		img.Pix[i] = uint8(201 + seed>>29) // 201-208
	}
	// Lines of "text": dark bars 4 px tall with gaps, like words.
	for line := range 40 {
		y0 := 150 + line*36
		for x := 150; x < w-150; x++ {
			if (x/40)%5 == 4 {
				continue
			}
			for y := y0; y < y0+4; y++ {
				img.Pix[y*w+x] = 45
			}
		}
	}
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("scan.png", withPHYs(encodePNG(t, img), 150)))
	p := res.Pages[0]
	if c := ink(p, 0.02, 0.02, 0.98, 0.07); c > 0.002 {
		t.Errorf("paper above the text has ink %.4f, want white", c)
	}
	if c := ink(p, 0.15, 0.1, 0.85, 0.8); c < 0.05 {
		t.Errorf("text area ink %.3f, want the bars", c)
	}
	isolated := 0
	for y := 1; y < p.Height-1; y++ {
		for x := 1; x < p.Width-1; x++ {
			if p.Black(x, y) && !p.Black(x-1, y) && !p.Black(x+1, y) && !p.Black(x, y-1) && !p.Black(x, y+1) {
				isolated++
			}
		}
	}
	if isolated > 100 {
		t.Errorf("%d isolated dots: the grey paper was dithered", isolated)
	}
}

// TestImagePageTimeout: scaling a large image onto a page stops at the
// page timeout.
func TestImagePageTimeout(t *testing.T) {
	big := encodePNG(t, lineArt(3000, 4000))
	_, err := convert(t, Options{Resolution: faxtiff.Superfine, PageTimeout: time.Microsecond}, file("big.png", big))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

// TestTIFFLibtiffVariants: files written by libtiff's tiffcp: tiled LZW
// colour pages in one file convert; JPEG-in-TIFF, which Go cannot decode,
// is refused with a clear message.
func TestTIFFLibtiffVariants(t *testing.T) {
	tiffcp, err := exec.LookPath("tiffcp")
	if err != nil {
		t.Skip("tiffcp is not installed (Debian package libtiff-tools)")
	}
	dir := t.TempDir()
	var plain bytes.Buffer
	if err := xtiff.Encode(&plain, photo(300, 400), nil); err != nil {
		t.Fatal(err)
	}
	src := dir + "/src.tif"
	os.WriteFile(src, plain.Bytes(), 0o644)
	run := func(out string, args ...string) []byte {
		t.Helper()
		if b, err := runCmd(tiffcp, append(args, out)...); err != nil {
			t.Fatalf("tiffcp: %v %s", err, b)
		}
		b, _ := os.ReadFile(out)
		return b
	}
	tiled := run(dir+"/tiled.tif", "-t", "-w", "64", "-l", "64", "-c", "lzw", src, src)
	res := mustConvert(t, Options{}, file("tiled.tif", tiled))
	if len(res.Pages) != 2 || ink(res.Pages[1], 0.1, 0.1, 0.9, 0.9) < 0.08 {
		t.Errorf("tiled LZW: %d pages", len(res.Pages))
	}
	var grey bytes.Buffer
	if err := xtiff.Encode(&grey, lineArt(160, 160), nil); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(dir+"/grey.tif", grey.Bytes(), 0o644)
	jpegTIFF := run(dir+"/jpeg.tif", "-c", "jpeg", "-r", "16", dir+"/grey.tif")
	_, err = convert(t, Options{}, file("scan.tif", jpegTIFF))
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "TIFF variant is not supported") {
		t.Errorf("JPEG-in-TIFF: %v", err)
	}
}

// TestWordMasks: the eight-pixels-at-a-time tests of the binariser agree
// with a plain comparison for every byte value in every position.
func TestWordMasks(t *testing.T) {
	for v := range 256 {
		for k := range 8 {
			w := uint64(0x5A5A5A5A5A5A5A5A)&^(0xFF<<(8*uint(k))) | uint64(v)<<(8*uint(k))
			bit := byte(0x80) >> uint(k)
			check := func(name string, got byte, want bool) {
				if (got&bit != 0) != want {
					t.Fatalf("%s: byte %d = %d: got %08b", name, k, v, got)
				}
			}
			check("below 150", gather(below(w, 150)), v < 150)
			check("below 215", gather(below(w, midHi)), v < midHi)
			check("above 16", gather(above(w, tonalLo)), v > tonalLo)
			check("tonal", gather(tonalMask(w)), tonal(byte(v)))
		}
	}
}
