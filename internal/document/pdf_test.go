package document

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
)

var resolutions = []faxtiff.Resolution{faxtiff.Standard, faxtiff.Fine, faxtiff.Superfine}

// TestPDFGeometry checks the non-square pixel mapping exactly: a 100 mm
// square 20 mm from the left and 30 mm from the top must come out 100 mm
// wide at 204 dpi and 100 mm tall at 3.85/7.7/15.4 lines per mm, on a page
// as long as the paper.
func TestPDFGeometry(t *testing.T) {
	papers := []struct {
		name string
		size [2]float64
		rows [3]int // standard, fine, superfine
	}{
		{"A4", ptA4, [3]int{1143, 2287, 4574}},
		{"Letter", ptLetter, [3]int{1071, 2142, 4285}},
		{"Legal", ptLegal, [3]int{1363, 2727, 5454}},
	}
	const mm = 72 / 25.4
	for _, paper := range papers {
		w, h := paper.size[0], paper.size[1]
		pdf := buildPDF([]testPage{{w: w, h: h, content: rectContent(20*mm, h-130*mm, 100*mm, 100*mm)}}, nil)
		for ri, r := range resolutions {
			t.Run(paper.name+"/"+r.String(), func(t *testing.T) {
				res := mustConvert(t, Options{Resolution: r}, file("square.pdf", pdf))
				if len(res.Pages) != 1 {
					t.Fatalf("%d pages, want 1", len(res.Pages))
				}
				p := res.Pages[0]
				if d := p.Height - paper.rows[ri]; d < -1 || d > 1 {
					t.Errorf("page has %d rows, want %d", p.Height, paper.rows[ri])
				}
				scale := math.Min(1, 215/(w/mm)) // Letter and Legal are 0.4 % too wide
				lpmm := []float64{3.85, 7.7, 15.4}[ri]
				pxmm := 1728 / 215.0
				x0, y0, x1, y1, ok := inkBox(p)
				if !ok {
					t.Fatal("blank page")
				}
				offX := (1728 - math.Round(w/mm*scale*pxmm)) / 2
				checkNear(t, "left edge", float64(x0), offX+20*scale*pxmm, 2)
				checkNear(t, "width", float64(x1-x0), 100*scale*pxmm, 2)
				checkNear(t, "top edge", float64(y0), 30*scale*lpmm, 2)
				checkNear(t, "height", float64(y1-y0), 100*scale*lpmm, 2)
			})
		}
	}
}

func checkNear(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.1f, want %.1f ± %g", what, got, want, tol)
	}
}

// TestPDFLandscape: landscape pages are turned a quarter clockwise, so the
// landscape page's top-left corner ends at the top right, whether the page
// is landscape by its MediaBox or by /Rotate.
func TestPDFLandscape(t *testing.T) {
	const mm = 72 / 25.4
	w, h := ptA4[1], ptA4[0]
	// A 40 mm block in the landscape page's top-left corner, and a long bar
	// along its top edge.
	content := rectContent(10*mm, h-50*mm, 40*mm, 40*mm) + rectContent(60*mm, h-15*mm, 200*mm, 5*mm)
	mediaBox := buildPDF([]testPage{{w: w, h: h, content: content}}, nil)
	// The same picture on a portrait MediaBox shown landscape by /Rotate 90:
	// user space is turned clockwise for display, so the content is drawn
	// turned the other way.
	rotContent := "q 0 1 -1 0 " + fmt.Sprint(ptA4[0]) + " 0 cm\n" + content + "Q\n"
	rotated := buildPDF([]testPage{{w: ptA4[0], h: ptA4[1], rotate: 90, content: rotContent}}, nil)
	for name, pdf := range map[string][]byte{"mediabox": mediaBox, "rotate90": rotated} {
		t.Run(name, func(t *testing.T) {
			res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("landscape.pdf", pdf))
			p := res.Pages[0]
			if p.Height < 2280 || p.Height > 2295 {
				t.Fatalf("landscape A4 became %d rows, want 2287 (portrait)", p.Height)
			}
			// The block: top right, 40 mm square.
			if got := ink(p, 0.75, 0.02, 0.97, 0.18); got < 0.4 {
				t.Errorf("top-right corner ink %.2f, want the block there", got)
			}
			for _, c := range [][4]float64{{0, 0, 0.5, 0.5}, {0, 0.5, 0.5, 1}, {0.5, 0.5, 0.85, 1}} {
				if got := ink(p, c[0], c[1], c[2], c[3]); got > 0.001 {
					t.Errorf("ink %.3f in quadrant %v, want none", got, c)
				}
			}
			// The bar along the landscape top now runs down the right side.
			x0, _, x1, y1, _ := inkBox(p)
			if x1-x0 > 400 || y1 < 2287*250/297 {
				t.Errorf("ink box x %d-%d, bottom %d: the top bar should run down the right edge", x0, x1, y1)
			}
		})
	}
}

// TestPDFMultiPageMixed appends pages of several sizes and orientations.
func TestPDFMultiPageMixed(t *testing.T) {
	pages := []testPage{
		{w: ptA4[0], h: ptA4[1], content: textContent(ptA4[0], ptA4[1], 10, "A4 portrait page")},
		{w: ptLetter[0], h: ptLetter[1], content: textContent(ptLetter[0], ptLetter[1], 10, "Letter page")},
		{w: ptLegal[0], h: ptLegal[1], content: textContent(ptLegal[0], ptLegal[1], 10, "Legal page")},
		{w: ptA4[1], h: ptA4[0], content: textContent(ptA4[1], ptA4[0], 10, "A4 landscape page")},
		{w: 420, h: 595, content: textContent(420, 595, 10, "A5 page")},
	}
	res := mustConvert(t, Options{Resolution: faxtiff.Standard}, file("mixed.pdf", buildPDF(pages, nil)))
	want := []int{1143, 1071, 1363, 1143, 808}
	if len(res.Pages) != len(want) {
		t.Fatalf("%d pages, want %d", len(res.Pages), len(want))
	}
	for i, p := range res.Pages {
		if d := p.Height - want[i]; d < -1 || d > 1 {
			t.Errorf("page %d: %d rows, want %d", i+1, p.Height, want[i])
		}
		if c := ink(p, 0, 0, 1, 1); c < 0.005 || c > 0.2 {
			t.Errorf("page %d: ink %.3f, want a page of text (0.005-0.2)", i+1, c)
		}
	}
	// The A5 page keeps its size: text starts 1 inch from its left edge, and
	// the page is centred.
	x0, _, _, _, _ := inkBox(res.Pages[4])
	checkNear(t, "A5 left text edge", float64(x0), (1728-148.2*1728/215)/2+25.4*1728/215, 6)
}

// TestPDFLongPageSplit: a receipt-like page 1 m long is cut into pieces no
// longer than A4, between lines of text.
func TestPDFLongPageSplit(t *testing.T) {
	const mm = 72 / 25.4
	w, h := 80*mm, 1000*mm
	var b strings.Builder
	for y := h - 20; y > 20; y -= 14 {
		fmt.Fprintf(&b, "BT /F1 11 Tf 10 %g Td (Item %d ........ 12.34) Tj ET\n", y, int(y))
	}
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("receipt.pdf", buildPDF([]testPage{{w: w, h: h, content: b.String()}}, nil)))
	if len(res.Pages) != 4 {
		t.Fatalf("%d pages, want 4 (1000 mm in pieces of at most 297 mm)", len(res.Pages))
	}
	total := 0
	for i, p := range res.Pages {
		total += p.Height
		if p.Height > 2493 { // 297 mm at 7.7 lines/mm plus the 8 % cut search
			t.Errorf("piece %d has %d rows, more than A4 plus the cut search", i+1, p.Height)
		}
		if i > 0 && !rowBlank(p.Row(0)) {
			t.Errorf("piece %d starts inside a line of text", i+1)
		}
	}
	if want := int(math.Round(1000 * 7.7)); total < want-1 || total > want+1 {
		t.Errorf("pieces have %d rows in all, want %d", total, want)
	}
}

// TestPDFHairlines: lines far thinner than a fax pixel (0.1 pt) still print
// as unbroken lines at standard resolution, thanks to the ridge rule.
func TestPDFHairlines(t *testing.T) {
	content := "0 G 0.1 w 100 400 m 500 400 l S 300 200 m 300 700 l S\n"
	res := mustConvert(t, Options{Resolution: faxtiff.Standard}, file("hair.pdf", buildPDF([]testPage{{w: ptA4[0], h: ptA4[1], content: content}}, nil)))
	p := res.Pages[0]
	// Horizontal line at y = 842-400 pt from the top; every column along it
	// must have a black pixel within two rows.
	px := func(pt float64) int { return int(pt / 72 * 204.1) }
	row := func(pt float64) int { return int(pt / 72 * 25.4 * 3.85) }
	yLine := row(ptA4[1] - 400)
	offX := (1728 - 1688) / 2
	for x := offX + px(110); x < offX+px(490); x++ {
		if !p.Black(x, yLine-1) && !p.Black(x, yLine) && !p.Black(x, yLine+1) {
			t.Fatalf("horizontal hairline broken at x=%d", x)
		}
	}
	xLine := offX + px(300)
	for y := row(842 - 690); y < row(842-210); y++ {
		if !p.Black(xLine-1, y) && !p.Black(xLine, y) && !p.Black(xLine+1, y) {
			t.Fatalf("vertical hairline broken at y=%d", y)
		}
	}
}

// imagePDF returns a page with an embedded grey image XObject (a horizontal
// ramp, white to black) in the upper half and text in the lower half.
func imagePDF() []byte {
	const iw, ih = 256, 128
	raw := make([]byte, iw*ih)
	for y := range ih {
		for x := range iw {
			raw[y*iw+x] = byte(255 - x)
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	// pre runs first, so the image is object 1.
	pre := func(w *pdfWriter) string {
		w.add(pdfStream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", iw, ih), z.Bytes()))
		return ""
	}
	content := "q 475 0 0 200 60 560 cm /Im1 Do Q\n" + textContent(ptA4[0], 400, 10, "Text below a photograph stays crisp and black.")
	return buildPDF([]testPage{{w: ptA4[0], h: ptA4[1], content: content, resources: "/XObject << /Im1 1 0 R >>"}}, pre)
}

// TestPDFPhotoAndText: the embedded ramp is dithered (its darkness grows
// left to right, with both colours mixed in the middle), while the text
// area below is thresholded: no isolated dots.
func TestPDFPhotoAndText(t *testing.T) {
	pdf := imagePDF()
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("photo.pdf", pdf))
	p := res.Pages[0]
	// The ramp spans x from 60 to 535 pt and y from 82 to 282 pt from the top.
	y0, y1 := 0.12, 0.30
	prev := -1.0
	for i := range 8 {
		x0 := (60 + float64(i)*475/8) / 595.276
		x1 := (60 + float64(i+1)*475/8) / 595.276
		c := ink(p, x0+0.005, y0, x1-0.005, y1)
		if c < prev-0.03 {
			t.Errorf("ramp step %d: ink %.2f after %.2f; darkness must grow", i, c, prev)
		}
		if i == 3 || i == 4 {
			if c < 0.25 || c > 0.75 {
				t.Errorf("ramp middle step %d: ink %.2f, want a dithered mid-tone", i, c)
			}
		}
		prev = c
	}
	if first := ink(p, 0.11, y0, 0.18, y1); first > 0.15 {
		t.Errorf("light end of the ramp has ink %.2f", first)
	}
	if prev < 0.8 {
		t.Errorf("dark end of the ramp has ink %.2f", prev)
	}
	// Text: ink present, and almost no isolated black pixels.
	ty0, ty1 := int(0.60*float64(p.Height)), int(0.95*float64(p.Height))
	isolated, black := 0, 0
	for y := ty0; y < ty1; y++ {
		for x := 1; x < p.Width-1; x++ {
			if !p.Black(x, y) {
				continue
			}
			black++
			if !p.Black(x-1, y) && !p.Black(x+1, y) && !p.Black(x, y-1) && !p.Black(x, y+1) {
				isolated++
			}
		}
	}
	if black == 0 || float64(isolated) > 0.002*float64(black) {
		t.Errorf("text area: %d black pixels, %d isolated; want crisp text", black, isolated)
	}
}

// TestPDFForm: a filled-in form field (widget with an appearance stream)
// prints; an annotation flagged not to print does not.
func TestPDFForm(t *testing.T) {
	var apID, hiddenID int
	pre := func(w *pdfWriter) string {
		apID = w.add(pdfStream("/Type /XObject /Subtype /Form /BBox [0 0 300 30] /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
			[]byte("0 g 0 0 300 30 re f 1 g BT /F1 18 Tf 5 8 Td (FILLED IN) Tj ET")))
		hiddenID = w.add(pdfStream("/Type /XObject /Subtype /Form /BBox [0 0 300 30]", []byte("0 g 0 0 300 30 re f")))
		return ""
	}
	// Forward references to objects added by pre: ids 1 and 2.
	field := "<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (FILLED IN) /Rect [100 600 400 630] /F 4 /AP << /N 1 0 R >> >>"
	hidden := "<< /Type /Annot /Subtype /Square /Rect [100 300 400 330] /F 0 /AP << /N 2 0 R >> >>"
	pdf := buildPDF([]testPage{{w: ptA4[0], h: ptA4[1], content: "BT /F1 12 Tf 100 640 Td (Name:) Tj ET\n", annots: field + " " + hidden}}, pre)
	if apID != 1 || hiddenID != 2 {
		t.Fatalf("appearance objects are %d and %d, the page refers to 1 and 2", apID, hiddenID)
	}
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("form.pdf", pdf))
	p := res.Pages[0]
	// Field box: x 100-400 pt, y from the top 212-242 pt.
	if c := ink(p, 110/595.276, 214/841.89, 390/595.276, 240/841.89); c < 0.5 {
		t.Errorf("form field area ink %.2f, want the filled field", c)
	}
	if c := ink(p, 110/595.276, 514/841.89, 390/595.276, 540/841.89); c > 0.01 {
		t.Errorf("non-printing annotation printed (ink %.2f)", c)
	}
}

// TestPDFBad: damaged, empty, encrypted and oversized PDFs give typed errors.
func TestPDFBad(t *testing.T) {
	good := buildPDF([]testPage{{w: ptA4[0], h: ptA4[1], content: textContent(ptA4[0], ptA4[1], 10, "x")}}, nil)
	fivePages := buildPDF([]testPage{{w: 100, h: 100}, {w: 100, h: 100}, {w: 100, h: 100}, {w: 100, h: 100}, {w: 100, h: 100}}, nil)
	// A standard security handler whose password check cannot succeed with
	// an empty user password: PDFium asks for the password.
	enc := &pdfWriter{}
	encPages := enc.add("<< /Type /Pages /Kids [] /Count 0 >>")
	encRoot := enc.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", encPages))
	encDict := enc.add("<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <" + strings.Repeat("5a", 32) + "> /U <" + strings.Repeat("a5", 32) + "> >>")
	encrypted := enc.bytes(encRoot, fmt.Sprintf("/Encrypt %d 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]", encDict))
	empty := buildPDF(nil, nil)
	// An upload cut short before the cross-reference table: PDFium rebuilds
	// such a file from its objects and would render whatever it finds.
	tw := &pdfWriter{}
	tw.add("<< /Type /Catalog /Pages 2 0 R >>")
	tw.add("<< /Type /Pages /Kids [3 0 R 5 0 R 7 0 R] /Count 3 >>")
	for i := range 3 {
		tw.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>", 4+2*i))
		tw.add(pdfStream("", []byte(rectContent(100, 100, 200, 200)+strings.Repeat("% padding\n", 100))))
	}
	whole := tw.bytes(1, "")
	cut := whole[:bytes.LastIndex(whole, []byte("xref"))]
	tests := []struct {
		name string
		data []byte
		opts Options
		kind Kind
		msg  string
	}{
		{"garbage after header", []byte("%PDF-1.7\nthis is not a PDF at all\n"), Options{}, KindCorrupt, "damaged"},
		{"cut before its trailer", good[:len(good)*2/3], Options{}, KindCorrupt, "damaged"},
		{"truncated", cut, Options{}, KindCorrupt, "the PDF is truncated"},
		{"no pages", empty, Options{}, KindNoPages, "no pages"},
		{"encrypted", encrypted, Options{}, KindEncrypted, "the PDF is password-protected"},
		{"too many pages", fivePages, Options{MaxPages: 3}, KindTooManyPages, "more than 3 pages"},
		{"too large", good, Options{MaxInputBytes: 100}, KindTooLarge, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := convert(t, tt.opts, file("bad.pdf", tt.data))
			if KindOf(err) != tt.kind {
				t.Fatalf("error %v (kind %q), want kind %q", err, KindOf(err), tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "bad.pdf: ") {
				t.Errorf("message %q, want it to name the file and say %q", err, tt.msg)
			}
		})
	}
}

// TestPDFEncryptedReal: a PDF encrypted by Ghostscript with a user password
// is refused without the password and opens with it.
func TestPDFEncryptedReal(t *testing.T) {
	pdf := gsPDF(t, psTextPages(1), "-sOwnerPassword=owner", "-sUserPassword=secret", "-dEncryptionR=3", "-dKeyLength=128")
	_, err := convert(t, Options{}, file("locked.pdf", pdf))
	if !errors.Is(err, ErrEncrypted) || !strings.Contains(err.Error(), "password-protected") {
		t.Fatalf("err = %v, want the PDF is password-protected", err)
	}
	in := BytesInput("locked.pdf", pdf)
	in.Password = "wrong"
	if _, err := converter(t).Convert(context.Background(), []Input{in}, Options{}); !errors.Is(err, ErrEncrypted) {
		t.Fatalf("wrong password: err = %v", err)
	}
	in.Password = "secret"
	res, err := converter(t).Convert(context.Background(), []Input{in}, Options{})
	if err != nil || len(res.Pages) != 1 {
		t.Fatalf("with the password: %v", err)
	}
}

// TestPDFPageTimeout: a page of 20000 objects cannot finish in a
// microsecond; PDFium pauses at its first check and the page fails.
func TestPDFPageTimeout(t *testing.T) {
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "%d %d 2 2 re f\n", 50+(i%250)*2, 50+(i/250)*8)
	}
	pdf := buildPDF([]testPage{{w: ptA4[0], h: ptA4[1], content: b.String()}}, nil)
	start := time.Now()
	_, err := convert(t, Options{PageTimeout: time.Microsecond}, file("slow.pdf", pdf))
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "page 1") {
		t.Fatalf("err = %v, want a page 1 timeout", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("timeout took %v", d)
	}
	// The same page renders with the default timeout.
	if _, err := convert(t, Options{}, file("slow.pdf", pdf)); err != nil {
		t.Fatal(err)
	}
}

// TestConvertCancelled: a cancelled context ends the conversion with the
// context's error, not a file error.
func TestConvertCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pdf := buildPDF([]testPage{{w: ptA4[0], h: ptA4[1], content: "0 0 10 10 re f"}}, nil)
	_, err := converter(t).Convert(ctx, []Input{BytesInput("x.pdf", pdf)}, Options{})
	if !errors.Is(err, context.Canceled) || KindOf(err) != "" {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestPDFGhostscriptCorpus: multi-page PDFs with embedded fonts (text) and
// large images, as real documents are.
func TestPDFGhostscriptCorpus(t *testing.T) {
	text := gsPDF(t, psTextPages(3))
	photos := gsPDF(t, psImagePages(2))
	res := mustConvert(t, Options{Resolution: faxtiff.Fine}, file("text.pdf", text), file("photos.pdf", photos))
	if len(res.Pages) != 5 || len(res.Sources) != 2 || res.Sources[0].Pages != 3 || res.Sources[1].Pages != 2 {
		t.Fatalf("pages %d, sources %+v", len(res.Pages), res.Sources)
	}
	for i, p := range res.Pages[:3] {
		if c := ink(p, 0, 0, 1, 1); c < 0.03 || c > 0.12 {
			t.Errorf("text page %d ink %.3f, want 0.03-0.12", i+1, c)
		}
	}
	for i, p := range res.Pages[3:] {
		// The image covers 475 × 633 pt from (60, 29) pt at the top.
		if c := ink(p, 0.15, 0.1, 0.85, 0.7); c < 0.15 || c > 0.85 {
			t.Errorf("photo page %d image ink %.3f, want a dithered picture", i+1, c)
		}
	}
}
