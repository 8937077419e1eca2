package document

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"faxgate/internal/faxtiff"
)

// The test corpus is generated: PDFs written by hand here (exact geometry,
// forms, images, rotation, damage), PDFs made by Ghostscript from small
// PostScript programs (embedded fonts, real encryption), images from Go's
// encoders, and one WebP made with cwebp (testdata/, since Go has no WebP
// encoder).

// One Converter for the whole test binary: compiling PDFium takes seconds.
var (
	sharedOnce sync.Once
	sharedConv *Converter
)

func converter(t testing.TB) *Converter {
	t.Helper()
	sharedOnce.Do(func() {
		c, err := NewConverter(Config{CompilationCacheDir: testCache})
		if err != nil {
			panic(err)
		}
		sharedConv = c
	})
	return sharedConv
}

// testCache is the PDFium compilation cache shared by the test binary's
// converters, so that each one after the first starts in a fraction of a
// second instead of compiling for seconds.
var testCache string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "faxgate-pdfium-cache-")
	if err != nil {
		panic(err)
	}
	testCache = dir
	code := m.Run()
	os.RemoveAll(dir)
	if sharedConv != nil {
		sharedConv.Close()
	}
	os.Exit(code)
}

// convert runs Convert on in-memory files.
func convert(t testing.TB, opts Options, files ...namedFile) (*Result, error) {
	t.Helper()
	var ins []Input
	for _, f := range files {
		ins = append(ins, BytesInput(f.name, f.data))
	}
	return converter(t).Convert(context.Background(), ins, opts)
}

type namedFile struct {
	name string
	data []byte
}

func file(name string, data []byte) namedFile { return namedFile{name, data} }

// mustConvert converts and checks the invariants every result must meet:
// 1728 wide, the requested resolution, and a TIFF-F that faxtiff.Validate
// accepts.
func mustConvert(t testing.TB, opts Options, files ...namedFile) *Result {
	t.Helper()
	res, err := convert(t, opts, files...)
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	checkSendable(t, res, opts.Resolution)
	savePreviews(t, res)
	return res
}

// savePreviews writes what the recipient gets as PNG files into
// $FAXGATE_DOC_PREVIEWS, for looking at the results.
func savePreviews(t testing.TB, res *Result) {
	dir := os.Getenv("FAXGATE_DOC_PREVIEWS")
	if dir == "" {
		return
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	for i, p := range res.Pages {
		b, err := Preview(p)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, i+1)), b, 0o644)
	}
}

func checkSendable(t testing.TB, res *Result, r faxtiff.Resolution) {
	t.Helper()
	for i, p := range res.Pages {
		if p.Width != 1728 || p.YDPI != r.LPI() || p.XDPI != faxtiff.XDPI {
			t.Fatalf("page %d: %dx%d at %gx%g dpi, want 1728 wide at 204x%g", i+1, p.Width, p.Height, p.XDPI, p.YDPI, r.LPI())
		}
	}
	path := filepath.Join(t.TempDir(), "out.tif")
	if err := res.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	info, err := faxtiff.Validate(path)
	if err != nil {
		t.Fatalf("faxtiff.Validate: %v", err)
	}
	if info.Pages != len(res.Pages) {
		t.Fatalf("file has %d pages, result %d", info.Pages, len(res.Pages))
	}
}

// ink returns the fraction of black pixels of p inside the rectangle
// (x0, y0)-(x1, y1), given as fractions of the page.
func ink(p *faxtiff.Page, x0, y0, x1, y1 float64) float64 {
	ax, bx := int(x0*float64(p.Width)), int(x1*float64(p.Width))
	ay, by := int(y0*float64(p.Height)), int(y1*float64(p.Height))
	n, black := 0, 0
	for y := ay; y < by; y++ {
		for x := ax; x < bx; x++ {
			n++
			if p.Black(x, y) {
				black++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(black) / float64(n)
}

// inkBox returns the bounding box of the black pixels (x0, y0, x1, y1
// exclusive), or ok=false for a blank page.
func inkBox(p *faxtiff.Page) (x0, y0, x1, y1 int, ok bool) {
	x0, y0 = p.Width, p.Height
	for y := range p.Height {
		row := p.Row(y)
		for x := range p.Width {
			if row[x>>3]&(0x80>>uint(x&7)) != 0 {
				x0, x1 = min(x0, x), max(x1, x+1)
				y0, y1 = min(y0, y), max(y1, y+1)
				ok = true
			}
		}
	}
	return
}

// ---- hand-written PDFs ----

// testPage is one page of a hand-written PDF.
type testPage struct {
	w, h      float64 // MediaBox in points
	rotate    int     // /Rotate
	content   string  // content stream
	resources string  // resource dictionary body, e.g. "/XObject << /Im1 5 0 R >>"
	annots    string  // annotation array body
}

// pdfWriter assembles objects and writes a PDF with a correct xref table.
type pdfWriter struct{ objs []string }

func (w *pdfWriter) add(obj string) int {
	w.objs = append(w.objs, obj)
	return len(w.objs)
}

// set replaces object id (1-based), for objects that refer forward.
func (w *pdfWriter) set(id int, obj string) { w.objs[id-1] = obj }

func pdfStream(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

func (w *pdfWriter) bytes(root int, trailerExtra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")
	offs := make([]int, len(w.objs))
	for i, o := range w.objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(w.objs)+1, root, trailerExtra, xref)
	return b.Bytes()
}

// buildPDF writes pages; extra objects (images, fonts, fields) can be added
// through pre, which gets the writer before the pages are added and
// returns the catalog's extra entries.
func buildPDF(pages []testPage, pre func(w *pdfWriter) string) []byte {
	w := &pdfWriter{}
	catalogExtra := ""
	if pre != nil {
		catalogExtra = pre(w)
	}
	font := w.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	pagesID := w.add("") // filled below
	var kids []string
	for _, p := range pages {
		content := w.add(pdfStream("", []byte(p.content)))
		d := fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> %s >>",
			pagesID, p.w, p.h, content, font, p.resources)
		if p.rotate != 0 {
			d += fmt.Sprintf(" /Rotate %d", p.rotate)
		}
		if p.annots != "" {
			d += " /Annots [" + p.annots + "]"
		}
		kids = append(kids, fmt.Sprintf("%d 0 R", w.add(d+" >>")))
	}
	w.set(pagesID, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids)))
	root := w.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R %s >>", pagesID, catalogExtra))
	return w.bytes(root, "")
}

// Paper sizes in points.
var (
	ptA4     = [2]float64{595.276, 841.89}
	ptLetter = [2]float64{612, 792}
	ptLegal  = [2]float64{612, 1008}
)

// textContent fills a page with lines of Helvetica.
func textContent(w, h float64, size float64, text string) string {
	var b strings.Builder
	lead := size * 1.2
	for y := h - 72; y > 72; y -= lead {
		fmt.Fprintf(&b, "BT /F1 %g Tf 72 %g Td (%s) Tj ET\n", size, y, text)
	}
	return b.String()
}

// rectContent draws a filled black rectangle (PDF user space, y up).
func rectContent(x, y, w, h float64) string {
	return fmt.Sprintf("0 g %g %g %g %g re f\n", x, y, w, h)
}

// ---- raster images ----

// photo returns a synthetic photograph: smooth shading with a bright disc,
// a dark band and a horizontal gradient, in colour.
func photo(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	cx, cy, rad := float64(w)*0.35, float64(h)*0.4, float64(min(w, h))*0.25
	for y := range h {
		for x := range w {
			t := float64(x) / float64(w-1)
			v := 40 + 180*t
			if d := math.Hypot(float64(x)-cx, float64(y)-cy); d < rad {
				v = 240 - 60*d/rad
			}
			if y > h*3/4 {
				v *= 0.5
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(v), uint8(v * 0.9), uint8(v * 0.7), 255})
		}
	}
	return img
}

// lineArt returns black strokes on white: a frame, a cross and thin lines.
func lineArt(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	line := func(x0, y0, x1, y1, th int) {
		for y := y0; y < y1+th; y++ {
			for x := x0; x < x1+th; x++ {
				img.SetGray(x, y, color.Gray{0})
			}
		}
	}
	m := w / 20
	line(m, m, w-m-4, m, 4)         // top
	line(m, h-m-4, w-m-4, h-m-4, 4) // bottom
	line(m, m, m, h-m-4, 4)         // left
	line(w-m-4, m, w-m-4, h-m-4, 4) // right
	line(w/2, m, w/2, h-m-4, 2)     // centre vertical
	line(m, h/2, w-m-4, h/2, 2)     // centre horizontal
	return img
}

// hugePNG returns a valid PNG header claiming w × h pixels with a tiny
// IDAT: a decompression bomb if decoded.
func hugePNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit grey
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1<<16))
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// greyTIFF writes an uncompressed 8-bit grey multi-page TIFF (big-endian,
// to exercise that byte order) with the given resolution.
func greyTIFF(pages []*image.Gray, dpi float64) []byte {
	var b bytes.Buffer
	bo := binary.BigEndian
	b.WriteString("MM\x00\x2a")
	binary.Write(&b, bo, uint32(8))
	for i, p := range pages {
		w, h := p.Rect.Dx(), p.Rect.Dy()
		const n = 11
		ifd := b.Len()
		dataOff := ifd + 2 + n*12 + 4 + 16
		entry := func(tag, typ uint16, count, val uint32) {
			binary.Write(&b, bo, tag)
			binary.Write(&b, bo, typ)
			binary.Write(&b, bo, count)
			if typ == 3 && count == 1 {
				binary.Write(&b, bo, uint16(val))
				binary.Write(&b, bo, uint16(0))
			} else {
				binary.Write(&b, bo, val)
			}
		}
		binary.Write(&b, bo, uint16(n))
		entry(256, 4, 1, uint32(w))
		entry(257, 4, 1, uint32(h))
		entry(258, 3, 1, 8)
		entry(259, 3, 1, 1)
		entry(262, 3, 1, 1) // MinIsBlack
		entry(273, 4, 1, uint32(dataOff+16))
		entry(277, 3, 1, 1)
		entry(278, 4, 1, uint32(h))
		entry(279, 4, 1, uint32(w*h))
		entry(282, 5, 1, uint32(dataOff))
		entry(283, 5, 1, uint32(dataOff+8))
		next := uint32(0)
		if i+1 < len(pages) {
			next = uint32(dataOff + 16 + w*h)
		}
		binary.Write(&b, bo, next)
		b.Write(make([]byte, 16)) // (unused padding keeps offsets simple)
		for range 2 {
			binary.Write(&b, bo, uint32(dpi*1000))
			binary.Write(&b, bo, uint32(1000))
		}
		for y := range h {
			b.Write(p.Pix[y*p.Stride : y*p.Stride+w])
		}
	}
	return b.Bytes()
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// runCmd runs a program and returns its combined output.
func runCmd(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).CombinedOutput()
}

// ---- Ghostscript ----

// needGS returns the gs path or skips the test.
func needGS(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("gs")
	if err != nil {
		t.Skip("Ghostscript (gs) is not installed; .ci/run installs it (Debian package ghostscript)")
	}
	return p
}

// gsPDF turns a PostScript program into a PDF with Ghostscript.
func gsPDF(t testing.TB, ps string, args ...string) []byte {
	t.Helper()
	gs := needGS(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.ps"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, []byte(ps), 0o644); err != nil {
		t.Fatal(err)
	}
	argv := append([]string{"-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-sOutputFile=" + out}, args...)
	argv = append(argv, in)
	if b, err := exec.Command(gs, argv...).CombinedOutput(); err != nil {
		t.Fatalf("gs: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// psTextPages is a PostScript program of n A4 pages of Times text, each
// with its page number and a thin rule.
func psTextPages(n int) string {
	return fmt.Sprintf(`%%!PS
<< /PageSize [595 842] >> setpagedevice
1 1 %d { /p exch def
 /Times-Roman findfont 11 scalefont setfont
 72 770 moveto (Page ) show p 3 string cvs show
 0 1 55 { /l exch def 72 740 l 12 mul sub moveto
   (The quick brown fox jumps over the lazy dog. 0123456789 Lorem ipsum dolor sit amet.) show } for
 0.25 setlinewidth 72 60 moveto 520 60 lineto stroke
 showpage } for
`, n)
}

// psImagePages is n A4 pages each dominated by a photographic image
// (a 600 × 800 sample grey image drawn with the image operator) with a
// caption.
func psImagePages(n int) string {
	return fmt.Sprintf(`%%!PS
<< /PageSize [595 842] >> setpagedevice
/W 600 def /H 800 def
/row W string def
1 1 %d { /p exch def
 gsave 60 180 translate 475 633 scale /y 0 def
 W H 8 [W 0 0 H neg 0 H]
 { /y y 1 add def 0 1 W 1 sub { /x exch def
     row x x W div 160 mul y H div 80 mul add
       x W 2 div sub dup mul y H 2 div sub dup mul add sqrt 40 div sin 30 mul add p 10 mul add
       cvi 255 and put } for row }
 image grestore
 /Helvetica findfont 14 scalefont setfont 60 120 moveto (Photo page ) show p 3 string cvs show
 showpage } for
`, n)
}
