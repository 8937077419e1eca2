package faxtiff

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
)

// PageWriter writes a TIFF-F file one encoded page at a time, laid out
// exactly as Write and WriteEncoded lay it out, for callers that must not
// hold a whole document: copying a document's stored T.6 strips
// (RawPage.G4) behind a new first page reads and writes one page at a
// time. The number of pages is given up front (every page's PageNumber
// tag carries it).
type PageWriter struct {
	bw    *bufio.Writer
	total int
	next  int
	off   int64
	err   error
}

// NewPageWriter starts a file of total pages on w.
func NewPageWriter(w io.Writer, total int) (*PageWriter, error) {
	if total <= 0 {
		return nil, errors.New("faxtiff: no pages to write")
	}
	if total > math.MaxUint16 {
		return nil, fmt.Errorf("faxtiff: %d pages is more than a TIFF PageNumber can count", total)
	}
	pw := &PageWriter{bw: bufio.NewWriterSize(w, 64<<10), total: total}
	hdr := []byte{'I', 'I', 42, 0, 8, 0, 0, 0} // first IFD right after the header
	if _, err := pw.bw.Write(hdr); err != nil {
		return nil, err
	}
	pw.off = int64(len(hdr))
	return pw, nil
}

// WritePage appends the next page, copying its T.6 data. After an error
// the writer refuses further pages.
func (pw *PageWriter) WritePage(e *Encoded) error {
	if pw.err != nil {
		return pw.err
	}
	if pw.next == pw.total {
		return fmt.Errorf("faxtiff: page %d of a %d-page file", pw.next+1, pw.total)
	}
	if err := e.check(); err != nil {
		pw.err = fmt.Errorf("faxtiff: page %d: %w", pw.next+1, err)
		return pw.err
	}
	if pw.off+int64(ifdSize)+int64(len(e.Data)) > math.MaxUint32-1 {
		pw.err = errors.New("faxtiff: file would exceed 4 GB, the limit of classic TIFF")
		return pw.err
	}
	ifd, next := buildIFD(e, pw.next, pw.total, uint32(pw.off))
	_, err := pw.bw.Write(ifd)
	if err == nil {
		_, err = pw.bw.Write(e.Data)
	}
	if err == nil && len(e.Data)&1 != 0 {
		err = pw.bw.WriteByte(0) // word-align the next IFD
	}
	if err != nil {
		pw.err = err
		return err
	}
	pw.next++
	pw.off = int64(next)
	return nil
}

// Close flushes the file; it fails if fewer pages were written than
// announced (the last IFD would point nowhere).
func (pw *PageWriter) Close() error {
	if pw.err != nil {
		return pw.err
	}
	if pw.next != pw.total {
		return fmt.Errorf("faxtiff: %d of %d pages written", pw.next, pw.total)
	}
	return pw.bw.Flush()
}
