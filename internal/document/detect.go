package document

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"net/http"
	"strings"
)

// Format is a file type, found from the content.
type Format string

// The formats Detect recognises.
const (
	FormatPDF        Format = "pdf"
	FormatTIFF       Format = "tiff"
	FormatPNG        Format = "png"
	FormatJPEG       Format = "jpeg"
	FormatGIF        Format = "gif"
	FormatBMP        Format = "bmp"
	FormatWebP       Format = "webp"
	FormatText       Format = "text"
	FormatPostScript Format = "postscript"
	FormatDOC        Format = "doc"
	FormatDOCX       Format = "docx"
	FormatODT        Format = "odt"
	FormatRTF        Format = "rtf"
	FormatXLS        Format = "xls"
	FormatXLSX       Format = "xlsx"
	FormatODS        Format = "ods"
	FormatPPT        Format = "ppt"
	FormatPPTX       Format = "pptx"
	FormatODP        Format = "odp"
	FormatODG        Format = "odg"
	FormatHTML       Format = "html"
)

// Image reports a raster image format decoded in Go (TIFF aside).
func (f Format) Image() bool {
	switch f {
	case FormatPNG, FormatJPEG, FormatGIF, FormatBMP, FormatWebP:
		return true
	}
	return false
}

// Office reports a format converted through LibreOffice.
func (f Format) Office() bool {
	switch f {
	case FormatDOC, FormatDOCX, FormatODT, FormatRTF, FormatXLS, FormatXLSX, FormatODS,
		FormatPPT, FormatPPTX, FormatODP, FormatODG, FormatHTML:
		return true
	}
	return false
}

// headLen is how much of the file the signature checks look at.
const headLen = 4096

// Detect finds the type of the size bytes in r from their content (magic
// numbers, container directories), never from a name. Content it does not
// convert gives an *Error of kind KindUnsupported ("unsupported file type"),
// an office file encrypted with a password KindEncrypted.
func Detect(r io.ReaderAt, size int64) (Format, error) {
	head := make([]byte, min(size, headLen))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return "", failf(KindCorrupt, err, "the file cannot be read")
	}
	if f := detectMagic(head); f != "" {
		return f, nil
	}
	switch {
	case bytes.HasPrefix(head, []byte("II+\x00")), bytes.HasPrefix(head, []byte("MM\x00+")):
		return "", failf(KindUnsupported, nil, "BigTIFF files are not supported; save the image as a classic TIFF, PNG or PDF")
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		return detectOLE(r, size)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return detectZip(r, size)
	}
	if strings.HasPrefix(http.DetectContentType(head), "text/html") {
		return FormatHTML, nil
	}
	// Anything without binary bytes is text: the sniffer's own verdict is
	// not enough ("BMW ..." sniffs as a bitmap).
	if !looksBinary(r, size) {
		return FormatText, nil
	}
	return "", failf(KindUnsupported, nil, msgUnsupported)
}

// detectMagic recognises formats by their first bytes.
func detectMagic(head []byte) Format {
	has := func(p string) bool { return bytes.HasPrefix(head, []byte(p)) }
	switch {
	case bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-")):
		// The PDF specification lets readers accept junk before the header.
		return FormatPDF
	case has("II*\x00"), has("MM\x00*"):
		return FormatTIFF
	case has("\x89PNG\r\n\x1a\n"):
		return FormatPNG
	case has("\xFF\xD8\xFF"):
		return FormatJPEG
	case has("GIF87a"), has("GIF89a"):
		return FormatGIF
	case has("BM") && plausibleBMP(head):
		return FormatBMP
	case len(head) >= 12 && has("RIFF") && string(head[8:12]) == "WEBP":
		return FormatWebP
	case has("%!"), has("\xC5\xD0\xD3\xC6"):
		return FormatPostScript
	case has(`{\rtf`):
		return FormatRTF
	}
	return ""
}

// plausibleBMP checks the BITMAPINFOHEADER size, since "BM" alone is two
// letters any text file may start with.
func plausibleBMP(head []byte) bool {
	if len(head) < 18 {
		return false
	}
	switch binary.LittleEndian.Uint32(head[14:18]) {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// looksBinary reports control bytes no text file has (NUL and most C0
// codes; tab, newlines, form feed and escape are allowed). UTF-16 text has
// NULs, so it is recognised by its byte-order mark first.
func looksBinary(r io.ReaderAt, size int64) bool {
	buf := make([]byte, 64<<10)
	var bad, total int64
	head := true
	for off := int64(0); off < size; off += int64(len(buf)) {
		n, _ := r.ReadAt(buf, off)
		b := buf[:n]
		if head {
			head = false
			if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
				return false
			}
		}
		for _, c := range b {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B {
				bad++
			}
		}
		total += int64(n)
		if n == 0 {
			break
		}
	}
	return bad > 0 && bad*1000 > total // more than 0.1 %
}

// OLE2 compound files (old Office): the stream names in the directory say
// what the file is. They are UTF-16LE; the directory may be anywhere, so the
// file is scanned in chunks.
var oleStreams = []struct {
	name   string
	format Format
}{
	{"EncryptedPackage", ""}, // a password-protected DOCX/XLSX/PPTX
	{"WordDocument", FormatDOC},
	{"Workbook", FormatXLS},
	{"Book", FormatXLS},
	{"PowerPoint Document", FormatPPT},
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return b
}

func detectOLE(r io.ReaderAt, size int64) (Format, error) {
	const chunk, overlap = 1 << 20, 64
	buf := make([]byte, chunk+overlap)
	found := map[int]bool{}
	for off := int64(0); off < size; off += chunk {
		n, _ := r.ReadAt(buf, off)
		for i, s := range oleStreams {
			if bytes.Contains(buf[:n], utf16le(s.name)) {
				found[i] = true
			}
		}
		if n == 0 {
			break
		}
	}
	if found[0] {
		return "", failf(KindEncrypted, nil, "the document is password-protected")
	}
	for i, s := range oleStreams[1:] {
		if found[i+1] {
			return s.format, nil
		}
	}
	return "", failf(KindUnsupported, nil, msgUnsupported)
}

// detectZip tells Office Open XML and OpenDocument files from other ZIPs by
// their parts; nothing is decompressed except the tiny "mimetype" entry.
func detectZip(r io.ReaderAt, size int64) (Format, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return "", failf(KindCorrupt, err, "the file is a damaged ZIP archive")
	}
	names := map[string]*zip.File{}
	for _, f := range zr.File {
		names[f.Name] = f
	}
	if _, ok := names["[Content_Types].xml"]; ok {
		switch {
		case names["word/document.xml"] != nil:
			return FormatDOCX, nil
		case names["xl/workbook.xml"] != nil:
			return FormatXLSX, nil
		case names["ppt/presentation.xml"] != nil:
			return FormatPPTX, nil
		}
	}
	if f := names["mimetype"]; f != nil && f.UncompressedSize64 < 128 {
		rc, err := f.Open()
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, 128))
			rc.Close()
			switch strings.TrimSpace(string(b)) {
			case "application/vnd.oasis.opendocument.text":
				return FormatODT, nil
			case "application/vnd.oasis.opendocument.spreadsheet":
				return FormatODS, nil
			case "application/vnd.oasis.opendocument.presentation":
				return FormatODP, nil
			case "application/vnd.oasis.opendocument.graphics":
				return FormatODG, nil
			}
		}
	}
	return "", failf(KindUnsupported, nil, msgUnsupported)
}
