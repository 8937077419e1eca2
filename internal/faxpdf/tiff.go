package faxpdf

import (
	"io"
	"os"

	"faxgate/internal/faxtiff"
)

// FromTIFF writes the pages of the TIFF file at path as a PDF. See
// FromTIFFReader.
func FromTIFF(w io.Writer, path string, meta Meta) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return FromTIFFReader(w, f, st.Size(), meta)
}

// FromTIFFReader writes the pages of a TIFF file of size bytes as a PDF,
// one page at a time. Every page is decoded with faxtiff (so a corrupt
// file is an error here, not a broken PDF later); a page stored as one
// MinIsWhite T.6 strip then has its stored data embedded (bit-reversed if
// FillOrder is 2) instead of being coded again.
func FromTIFFReader(w io.Writer, r io.ReaderAt, size int64, meta Meta) error {
	_, err := convertTIFF(w, r, size, meta)
	return err
}

// convertTIFF does FromTIFFReader's work and returns how many pages kept
// their stored T.6 data.
func convertTIFF(w io.Writer, r io.ReaderAt, size int64, meta Meta) (reused int, err error) {
	pw := NewWriter(w, meta)
	err = faxtiff.ReadEachRaw(r, size, func(_ int, rp *faxtiff.RawPage) error {
		// Decoding checks the page even when its stored data is reused.
		p, err := rp.Decode()
		if err != nil {
			return err
		}
		if e, ok := rp.G4(); ok {
			reused++
			return pw.AddEncoded(e)
		}
		return pw.AddPage(p)
	})
	if err != nil {
		return reused, err
	}
	return reused, pw.Close()
}
