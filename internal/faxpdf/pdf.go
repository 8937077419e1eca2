package faxpdf

import (
	"bufio"
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"faxgate/internal/faxtiff"
)

// Producer is written to every file's document information dictionary.
const Producer = "faxgate"

// ErrNoPages is returned when a PDF would have no pages; PDF readers
// reject such files, so none is written.
var ErrNoPages = errors.New("faxpdf: no pages to write")

// Meta is the document information of the PDF. Empty strings are left
// out; a zero CreationDate means the time of NewWriter.
type Meta struct {
	Title        string
	Author       string
	Subject      string
	Creator      string // the application that made the original, e.g. "faxgate inbound"
	CreationDate time.Time
}

// G4Image is one fax page already coded as CCITT T.6, bits most
// significant first (TIFF FillOrder 1). An end-of-facsimile-block code
// after the last row is allowed but not needed (PDF readers stop at Rows).
type G4Image struct {
	Width, Height int
	XDPI, YDPI    float64
	Data          []byte
}

// Fixed object numbers; each page then takes three objects (image,
// content stream, page) from firstPageObj on.
const (
	catalogObj   = 1
	pagesObj     = 2
	infoObj      = 3
	firstPageObj = 4
)

// maxPages keeps the object numbers and the /Count far below any reader's
// limits (and any real fax).
const maxPages = 100000

// Writer writes a PDF page by page. It is not safe for concurrent use.
// After an error the output is incomplete and the Writer refuses further
// pages; callers write to a temporary file and discard it on error.
type Writer struct {
	out   *countWriter
	meta  Meta
	offs  []int64 // offs[i] is the offset of object i+1
	pages []int   // page object numbers
	err   error
	done  bool
}

// countWriter counts and hashes what goes out and keeps the first error,
// so that writing an object needs no error checks of its own; Writer
// looks at err after each page.
type countWriter struct {
	w   *bufio.Writer
	sum hash.Hash // of everything written, for the trailer /ID
	n   int64     // bytes written so far
	err error
}

func (c *countWriter) Write(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.sum.Write(b[:n])
	c.err = err
	return n, err
}

// NewWriter returns a Writer that writes to w. Nothing is written until
// the first page is added.
func NewWriter(w io.Writer, meta Meta) *Writer {
	if meta.CreationDate.IsZero() {
		meta.CreationDate = time.Now()
	}
	return &Writer{out: &countWriter{w: bufio.NewWriterSize(w, 64<<10), sum: md5.New()}, meta: meta}
}

// Write writes pages as one PDF, coding one page at a time.
func Write(w io.Writer, pages []*faxtiff.Page, meta Meta) error {
	if len(pages) == 0 {
		return ErrNoPages
	}
	pw := NewWriter(w, meta)
	for _, p := range pages {
		if err := pw.AddPage(p); err != nil {
			return err
		}
	}
	return pw.Close()
}

// Pages returns the number of pages added so far.
func (pw *Writer) Pages() int { return len(pw.pages) }

// AddPage codes p as T.6 and adds it as the next page.
func (pw *Writer) AddPage(p *faxtiff.Page) error {
	if err := checkPage(p); err != nil {
		return pw.fail(fmt.Errorf("faxpdf: page %d: %w", len(pw.pages)+1, err))
	}
	return pw.AddG4(G4Image{Width: p.Width, Height: p.Height, XDPI: p.XDPI, YDPI: p.YDPI, Data: faxtiff.EncodeG4(p)})
}

// AddEncoded adds a page held as T.6 data (faxtiff.Encoded), embedding
// the data as it is.
func (pw *Writer) AddEncoded(e *faxtiff.Encoded) error {
	if e == nil {
		return pw.fail(errors.New("faxpdf: nil page"))
	}
	return pw.AddG4(G4Image{Width: e.Width, Height: e.Height, XDPI: e.XDPI, YDPI: e.YDPI, Data: e.Data})
}

// AddG4 adds a page whose T.6 data is embedded as it is; the caller
// vouches that Data decodes to Width × Height pixels.
func (pw *Writer) AddG4(img G4Image) error {
	if pw.err != nil {
		return pw.err
	}
	if pw.done {
		return errors.New("faxpdf: page added after Close")
	}
	if err := checkG4(img); err != nil {
		return pw.fail(fmt.Errorf("faxpdf: page %d: %w", len(pw.pages)+1, err))
	}
	if len(pw.pages) >= maxPages {
		return pw.fail(fmt.Errorf("faxpdf: more than %d pages", maxPages))
	}
	if len(pw.pages) == 0 {
		pw.header()
	}
	im := pw.obj()
	fmt.Fprintf(pw.out, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1\n"+
		"/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d /BlackIs1 false >>\n/Length %d >>\nstream\n",
		img.Width, img.Height, img.Width, img.Height, len(img.Data))
	pw.out.Write(img.Data)
	io.WriteString(pw.out, "\nendstream\nendobj\n")

	// The image space is the unit square: scale it to the page, whose
	// size in points carries the fax's aspect.
	w, h := points(img.Width, img.XDPI), points(img.Height, img.YDPI)
	content := fmt.Sprintf("q %s 0 0 %s 0 0 cm /Im1 Do Q\n", w, h)
	pw.obj()
	fmt.Fprintf(pw.out, "<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(content), content)

	page := pw.obj()
	fmt.Fprintf(pw.out, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s]\n"+
		"/Resources << /ProcSet [/PDF /ImageB] /XObject << /Im1 %d 0 R >> >>\n/Contents %d 0 R >>\nendobj\n",
		pagesObj, w, h, im, im+1)
	pw.pages = append(pw.pages, page)
	return pw.flushErr()
}

// Close writes the page tree, the cross-reference table and the trailer.
// It returns ErrNoPages (having written nothing) when no page was added.
func (pw *Writer) Close() error {
	if pw.err != nil {
		return pw.err
	}
	if pw.done {
		return nil
	}
	if len(pw.pages) == 0 {
		return pw.fail(ErrNoPages)
	}
	pw.done = true
	pw.objAt(pagesObj)
	var kids strings.Builder
	for i, p := range pw.pages {
		if i > 0 {
			kids.WriteString(" ")
			if i%10 == 0 {
				kids.WriteString("\n")
			}
		}
		fmt.Fprintf(&kids, "%d 0 R", p)
	}
	fmt.Fprintf(pw.out, "<< /Type /Pages /Count %d /Kids [%s] >>\nendobj\n", len(pw.pages), kids.String())

	xref := pw.out.n
	id := fmt.Sprintf("%x", pw.out.sum.Sum(nil))
	var b strings.Builder
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(pw.offs)+1)
	for _, off := range pw.offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(pw.offs)+1, catalogObj, infoObj, id, id, xref)
	io.WriteString(pw.out, b.String())
	if err := pw.flushErr(); err != nil {
		return err
	}
	if err := pw.out.w.Flush(); err != nil {
		return pw.fail(err)
	}
	return nil
}

// header writes the file header, the catalog and the information
// dictionary. The second line's bytes above 127 tell transfer programs
// that the file is binary.
func (pw *Writer) header() {
	io.WriteString(pw.out, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	pw.objAt(catalogObj)
	fmt.Fprintf(pw.out, "<< /Type /Catalog /Pages %d 0 R >>\nendobj\n", pagesObj)
	pw.objAt(infoObj)
	io.WriteString(pw.out, "<< /Producer "+textString(Producer))
	for _, f := range []struct{ key, val string }{
		{"Title", pw.meta.Title}, {"Author", pw.meta.Author},
		{"Subject", pw.meta.Subject}, {"Creator", pw.meta.Creator},
	} {
		if f.val != "" {
			io.WriteString(pw.out, "\n/"+f.key+" "+textString(f.val))
		}
	}
	io.WriteString(pw.out, "\n/CreationDate "+textString(pdfDate(pw.meta.CreationDate))+" >>\nendobj\n")
}

// obj starts the next free object (from firstPageObj on) and returns its
// number.
func (pw *Writer) obj() int {
	n := max(len(pw.offs)+1, firstPageObj)
	pw.objAt(n)
	return n
}

// objAt records the offset of object n and writes its header.
func (pw *Writer) objAt(n int) {
	for len(pw.offs) < n {
		pw.offs = append(pw.offs, 0)
	}
	pw.offs[n-1] = pw.out.n
	fmt.Fprintf(pw.out, "%d 0 obj\n", n)
}

// flushErr reports a write error of the page just written.
func (pw *Writer) flushErr() error {
	if pw.out.err != nil {
		return pw.fail(pw.out.err)
	}
	return nil
}

func (pw *Writer) fail(err error) error {
	if pw.err == nil {
		pw.err = err
	}
	return pw.err
}

func checkPage(p *faxtiff.Page) error {
	switch {
	case p == nil:
		return errors.New("nil page")
	case p.Width <= 0 || p.Height <= 0:
		return fmt.Errorf("empty size %d×%d", p.Width, p.Height)
	case p.Stride < (p.Width+7)/8 || len(p.Pix) < p.Stride*(p.Height-1)+(p.Width+7)/8:
		return fmt.Errorf("pixel buffer of %d bytes (stride %d) does not hold %d×%d pixels", len(p.Pix), p.Stride, p.Width, p.Height)
	}
	// Checked before coding so that a bad page costs nothing.
	return checkG4(G4Image{Width: p.Width, Height: p.Height, XDPI: p.XDPI, YDPI: p.YDPI, Data: []byte{0}})
}

func checkG4(img G4Image) error {
	switch {
	case img.Width <= 0 || img.Height <= 0:
		return fmt.Errorf("empty size %d×%d", img.Width, img.Height)
	case img.Width > faxtiff.MaxWidth || img.Height > faxtiff.MaxHeight:
		return fmt.Errorf("size %d×%d is larger than %d×%d", img.Width, img.Height, faxtiff.MaxWidth, faxtiff.MaxHeight)
	case !validDPI(img.XDPI) || !validDPI(img.YDPI):
		return fmt.Errorf("resolution %gx%g dpi is not set; the page size cannot be known", img.XDPI, img.YDPI)
	case len(img.Data) == 0:
		return errors.New("no T.6 data")
	}
	return nil
}

// validDPI accepts resolutions from 10 to 10000 dpi: anything else is
// a broken file, and would make a page of absurd size.
func validDPI(v float64) bool { return v >= 10 && v <= 10000 }

// points returns n pixels at dpi as a length in points (1/72 in). It
// rounds down at the fourth decimal, so that a reader rendering at dpi
// computes n pixels (poppler rounds the page size up).
func points(n int, dpi float64) string {
	v := math.Floor(float64(n)*72/dpi*1e4) / 1e4
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// pdfDate formats t as a PDF date: D:YYYYMMDDHHmmSS and the offset from
// UTC as Z or +HH'mm'.
func pdfDate(t time.Time) string {
	s := t.Format("D:20060102150405")
	_, off := t.Zone()
	if off == 0 {
		return s + "Z"
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%s%c%02d'%02d'", s, sign, off/3600, off/60%60)
}

// textString returns s as a PDF text string: a literal string when s is
// printable ASCII, UTF-16BE with a byte order mark (as hex) otherwise.
func textString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
		return "(" + r.Replace(s) + ")"
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}
