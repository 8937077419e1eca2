package document

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"image"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
)

// zipFile builds a ZIP archive; "mimetype" is stored first and
// uncompressed, as OpenDocument requires.
func zipFile(t testing.TB, files [][2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		method := zip.Deflate
		if f[0] == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// minimalDOCX is the smallest Word document LibreOffice opens.
func minimalDOCX(t testing.TB, text string) []byte {
	return zipFile(t, [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:rPr><w:sz w:val="48"/></w:rPr><w:t>` + text + `</w:t></w:r></w:p></w:body></w:document>`},
	})
}

// ole returns an OLE2 compound file signature followed by a directory
// entry name, as old Office files have.
func ole(stream string) []byte {
	b := []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
	b = append(b, make([]byte, 1024)...)
	b = append(b, utf16le(stream)...)
	return append(b, make([]byte, 512)...)
}

func TestDetect(t *testing.T) {
	pngData := encodePNG(t, image.NewGray(image.Rect(0, 0, 4, 4)))
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 512)...)
	tests := []struct {
		name string
		data []byte
		want Format
		kind Kind
	}{
		{"pdf", []byte("%PDF-1.4\n..."), FormatPDF, ""},
		{"pdf after junk", append(bytes.Repeat([]byte{' '}, 100), "%PDF-1.4\n"...), FormatPDF, ""},
		{"png named .pdf", pngData, FormatPNG, ""},
		{"exe named .pdf", exe, "", KindUnsupported},
		{"tiff II", []byte("II*\x00\x08\x00\x00\x00"), FormatTIFF, ""},
		{"tiff MM", []byte("MM\x00*\x00\x00\x00\x08"), FormatTIFF, ""},
		{"bigtiff", []byte("II+\x00\x08\x00\x00\x00"), "", KindUnsupported},
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF"), FormatJPEG, ""},
		{"gif", []byte("GIF89a\x01\x00"), FormatGIF, ""},
		{"bmp", append([]byte("BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00"), make([]byte, 40)...), FormatBMP, ""},
		{"text starting BM", []byte("BMW and Audi are car makers.\n"), FormatText, ""},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8L"), FormatWebP, ""},
		{"postscript", []byte("%!PS-Adobe-3.0\n"), FormatPostScript, ""},
		{"rtf", []byte(`{\rtf1\ansi Hello}`), FormatRTF, ""},
		{"html", []byte("<!DOCTYPE html><html><body>Hi</body></html>"), FormatHTML, ""},
		{"text", []byte("Dear customer,\nthank you.\n"), FormatText, ""},
		{"utf-16 text", []byte("\xFF\xFEH\x00i\x00\n\x00"), FormatText, ""},
		{"binary", append([]byte("abc"), make([]byte, 100)...), "", KindUnsupported},
		{"docx", minimalDOCX(t, "x"), FormatDOCX, ""},
		{"xlsx", zipFile(t, [][2]string{{"[Content_Types].xml", "<Types/>"}, {"xl/workbook.xml", "<workbook/>"}}), FormatXLSX, ""},
		{"pptx", zipFile(t, [][2]string{{"[Content_Types].xml", "<Types/>"}, {"ppt/presentation.xml", "<p/>"}}), FormatPPTX, ""},
		{"odt", zipFile(t, [][2]string{{"mimetype", "application/vnd.oasis.opendocument.text"}, {"content.xml", "<x/>"}}), FormatODT, ""},
		{"ods", zipFile(t, [][2]string{{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}}), FormatODS, ""},
		{"odp", zipFile(t, [][2]string{{"mimetype", "application/vnd.oasis.opendocument.presentation"}}), FormatODP, ""},
		{"plain zip", zipFile(t, [][2]string{{"readme.txt", "hello"}}), "", KindUnsupported},
		{"doc", ole("WordDocument"), FormatDOC, ""},
		{"xls", ole("Workbook"), FormatXLS, ""},
		{"ppt", ole("PowerPoint Document"), FormatPPT, ""},
		{"encrypted docx", ole("EncryptedPackage"), "", KindEncrypted},
		{"other ole", ole("__substg1.0_0037001F"), "", KindUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect(bytes.NewReader(tt.data), int64(len(tt.data)))
			if got != tt.want || KindOf(err) != tt.kind {
				t.Errorf("Detect = %q, %v; want %q, kind %q", got, err, tt.want, tt.kind)
			}
		})
	}
}

// TestUnsupportedMessage: what an uploader of a disguised program reads.
func TestUnsupportedMessage(t *testing.T) {
	exe := append([]byte("MZ\x90\x00"), make([]byte, 600)...)
	_, err := convert(t, Options{}, file("invoice.pdf", exe))
	if !errors.Is(err, ErrUnsupported) || !strings.HasPrefix(err.Error(), "invoice.pdf: unsupported file type") {
		t.Errorf("err = %v", err)
	}
}

// TestMultipleInputs: several files append into one document in order,
// and an error names the input it is about.
func TestMultipleInputs(t *testing.T) {
	pdf := buildPDF([]testPage{{w: ptA4[0], h: ptA4[1], content: textContent(ptA4[0], ptA4[1], 10, "PDF")}, {w: ptA4[0], h: ptA4[1], content: "0 0 100 100 re f"}}, nil)
	var progress []int
	res, err := converter(t).Convert(context.Background(), []Input{
		BytesInput("cover.txt", []byte("Cover text\n")),
		BytesInput("doc.pdf", pdf),
		BytesInput("photo.png", encodePNG(t, photo(100, 80))),
	}, Options{Resolution: faxtiff.Fine, Progress: func(n int) { progress = append(progress, n) }})
	if err != nil {
		t.Fatal(err)
	}
	checkSendable(t, res, faxtiff.Fine)
	want := []Source{{"cover.txt", FormatText, 1}, {"doc.pdf", FormatPDF, 2}, {"photo.png", FormatPNG, 1}}
	if len(res.Sources) != 3 || len(res.Pages) != 4 {
		t.Fatalf("sources %+v, %d pages", res.Sources, len(res.Pages))
	}
	for i := range want {
		if res.Sources[i] != want[i] {
			t.Errorf("source %d = %+v, want %+v", i, res.Sources[i], want[i])
		}
	}
	if !slices.Equal(progress, []int{1, 2, 3, 4}) {
		t.Errorf("progress %v, want 1,2,3,4", progress)
	}
	// The second input is broken: the error is about it, and nothing is
	// returned.
	res, err = converter(t).Convert(context.Background(), []Input{
		BytesInput("ok.txt", []byte("fine\n")),
		BytesInput("broken.png", encodePNG(t, photo(10, 10))[:30]),
	}, Options{})
	var e *Error
	if res != nil || !errors.As(err, &e) || e.Input != 1 || e.Name != "broken.png" || e.Kind != KindCorrupt {
		t.Errorf("res %v, err %#v", res, err)
	}
	// The page limit counts the whole document.
	_, err = converter(t).Convert(context.Background(), []Input{
		BytesInput("a.pdf", pdf), BytesInput("b.pdf", pdf),
	}, Options{MaxPages: 3})
	if !errors.Is(err, ErrTooManyPages) {
		t.Errorf("4 pages with a limit of 3: %v", err)
	}
}

// ---- office and PostScript ----

func TestOfficeWithoutLibreOffice(t *testing.T) {
	c, err := NewConverter(Config{SofficePath: "-", GhostscriptPath: "-"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, f := range []namedFile{file("letter.docx", minimalDOCX(t, "Hi")), file("notes.rtf", []byte(`{\rtf1 Hi}`)), file("old.doc", ole("WordDocument"))} {
		_, err := c.Convert(context.Background(), []Input{BytesInput(f.name, f.data)}, Options{})
		if !errors.Is(err, ErrNeedsLibreOffice) || err.Error() != f.name+": this format needs LibreOffice, which is not installed on this server" {
			t.Errorf("%s: %v", f.name, err)
		}
	}
	_, err = c.Convert(context.Background(), []Input{BytesInput("x.ps", []byte(psTextPages(1)))}, Options{})
	if !errors.Is(err, ErrNeedsGhostscript) {
		t.Errorf("PostScript without gs: %v", err)
	}
}

func needSoffice(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("soffice"); err != nil {
		t.Skip("LibreOffice (soffice) is not installed; it is optional (Debian package libreoffice-writer-nogui)")
	}
}

func TestOfficeLibreOffice(t *testing.T) {
	needSoffice(t)
	for _, f := range []namedFile{
		file("letter.docx", minimalDOCX(t, "Hello from a Word document")),
		file("notes.rtf", []byte(`{\rtf1\ansi\deff0 {\fonttbl {\f0 Times New Roman;}}\f0\fs48 Hello from RTF\par Second paragraph\par}`)),
	} {
		t.Run(f.name, func(t *testing.T) {
			res := mustConvert(t, Options{Resolution: faxtiff.Fine}, f)
			if len(res.Pages) != 1 {
				t.Fatalf("%d pages, want 1", len(res.Pages))
			}
			if c := ink(res.Pages[0], 0, 0, 1, 0.2); c < 0.002 {
				t.Errorf("no text at the top of the page (ink %.4f)", c)
			}
		})
	}
}

func TestPostScript(t *testing.T) {
	needGS(t)
	res := mustConvert(t, Options{Resolution: faxtiff.Standard}, file("doc.ps", []byte(psTextPages(2))))
	if len(res.Pages) != 2 {
		t.Fatalf("%d pages", len(res.Pages))
	}
	_, err := convert(t, Options{OfficeTimeout: time.Millisecond}, file("doc.ps", []byte(psTextPages(2))))
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("1 ms conversion timeout: %v", err)
	}
}

// TestConcurrentConversions: one Converter serves several conversions at
// once (more than it has PDF workers); each gets its own, correct pages.
func TestConcurrentConversions(t *testing.T) {
	var pdfs [][]byte
	for i := range 4 {
		var pages []testPage
		for p := range 3 {
			pages = append(pages, testPage{w: ptA4[0], h: ptA4[1], content: rectContent(50+float64(100*i), 600-float64(100*p), 50, 50)})
		}
		pdfs = append(pdfs, buildPDF(pages, nil))
	}
	want := make([]*Result, len(pdfs))
	for i, pdf := range pdfs {
		want[i] = mustConvert(t, Options{}, file("seq.pdf", pdf))
	}
	errs := make(chan error, len(pdfs))
	got := make([]*Result, len(pdfs))
	var wg sync.WaitGroup
	for i, pdf := range pdfs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := converter(t).Convert(context.Background(), []Input{BytesInput("par.pdf", pdf)}, Options{})
			got[i] = res
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range pdfs {
		for p := range want[i].Pages {
			if d := faxtiff.Equal(got[i].Pages[p], want[i].Pages[p]); d != 0 {
				t.Errorf("document %d page %d differs by %d pixels when converted concurrently", i, p+1, d)
			}
		}
	}
}
