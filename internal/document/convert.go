package document

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"faxgate/internal/faxtiff"
)

// Defaults of Options.
const (
	DefaultMaxPages       = 200
	DefaultMaxInputBytes  = 64 << 20
	DefaultMaxImagePixels = 50_000_000
	DefaultPageTimeout    = 30 * time.Second
	DefaultOfficeTimeout  = 2 * time.Minute
)

// Config configures a Converter; the zero value is usable.
type Config struct {
	// Workers is how many PDF pages render at once (one WebAssembly PDFium
	// instance or one mutool process each, shared by all conversions of
	// this Converter). Default: GOMAXPROCS, at most 4.
	Workers int
	// WasmMemoryLimit caps the memory of each PDFium instance, in bytes
	// (default 512 MiB). A PDF that needs more fails as corrupt.
	WasmMemoryLimit int64
	// CompilationCacheDir, when set, keeps PDFium's compiled machine code
	// there, so later processes start in well under a second instead of
	// compiling for several seconds.
	CompilationCacheDir string
	// SofficePath is LibreOffice's soffice; "" looks up soffice (then
	// libreoffice) on PATH; "-" disables office formats.
	SofficePath string
	// GhostscriptPath is gs for PostScript; "" looks it up on PATH; "-"
	// disables PostScript.
	GhostscriptPath string
	// TempDir holds the private working folders of office and PostScript
	// conversions (default os.TempDir()).
	TempDir string
	// MutoolPath is MuPDF's mutool, which renders PDF pages about four
	// times faster than PDFium in WebAssembly (see pdf_mutool.go); "" looks
	// it up on PATH; "-" renders every PDF with PDFium.
	MutoolPath string
	// ExternalMemoryLimit caps the address space of each mutool process,
	// in bytes (default 1 GiB). A page that needs more is rendered by
	// PDFium instead.
	ExternalMemoryLimit int64
}

// Converter turns documents into fax pages. It holds the PDF renderer pool
// (compiled once, on first use of a PDF, then reused), so create one per
// process and share it; it is safe for concurrent use. Close it at the end.
type Converter struct {
	cfg    Config
	mutool string        // resolved Config.MutoolPath; "" when not used
	stdbuf string        // coreutils' stdbuf, when installed (see mutoolWorker.start)
	ext    chan struct{} // one slot per mutool process allowed at once (Workers)
	// greys keeps the grey page buffers of mutool workers (4.8 MB each at
	// fine) from one conversion to the next, instead of allocating and
	// clearing them for every document; the GC empties it when idle.
	greys sync.Pool

	mu     sync.Mutex
	pdf    *pdfRenderer
	pdfErr error
	closed bool
}

// NewConverter returns a Converter. PDFium is compiled lazily (several
// seconds of CPU) on the first PDF; call Warm at startup to do it early.
func NewConverter(cfg Config) (*Converter, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = min(runtime.GOMAXPROCS(0), 4)
	}
	if cfg.WasmMemoryLimit <= 0 {
		cfg.WasmMemoryLimit = 512 << 20
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	if cfg.ExternalMemoryLimit <= 0 {
		cfg.ExternalMemoryLimit = 1 << 30
	}
	c := &Converter{cfg: cfg, mutool: tool(cfg.MutoolPath, "mutool"), ext: make(chan struct{}, cfg.Workers)}
	if c.mutool != "" {
		c.stdbuf = tool("", "stdbuf")
	}
	return c, nil
}

// Warm prepares the PDF renderer now rather than on the first PDF.
func (c *Converter) Warm() error {
	_, err := c.pdfRenderer()
	return err
}

// Close releases the PDF renderer. Conversions still running fail.
func (c *Converter) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.pdf != nil {
		err := c.pdf.close()
		c.pdf = nil
		return err
	}
	return nil
}

func (c *Converter) pdfRenderer() (*pdfRenderer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("document: converter is closed")
	}
	if c.pdf == nil && c.pdfErr == nil {
		c.pdf, c.pdfErr = newPDFRenderer(c.cfg)
	}
	return c.pdf, c.pdfErr
}

// Input is one source file. Give either Path, or R and Size. The file type
// is found from the content, never from Name or the path's extension.
type Input struct {
	Name     string // shown in error messages, e.g. the uploaded file name
	Path     string
	R        io.ReaderAt
	Size     int64
	Password string // opens an encrypted PDF, if the user gave one
}

// BytesInput returns an Input reading b.
func BytesInput(name string, b []byte) Input {
	return Input{Name: name, R: bytes.NewReader(b), Size: int64(len(b))}
}

// Options are per-conversion settings and limits; zero values mean the
// defaults.
type Options struct {
	// Resolution is the fax quality: faxtiff.Standard (the zero value),
	// Fine or Superfine.
	Resolution faxtiff.Resolution
	// Paper is the page size for text files and images (default A4).
	Paper Paper
	// MaxPages limits the fax pages of the whole document (default 200).
	MaxPages int
	// MaxInputBytes limits the size of each input file (default 64 MiB).
	MaxInputBytes int64
	// MaxImagePixels limits an image's width × height, checked from its
	// header before decoding (default 50 million, e.g. A4 at 600 dpi fits).
	MaxImagePixels int64
	// PageTimeout limits the rendering of one page (default 30 s).
	PageTimeout time.Duration
	// OfficeTimeout limits one LibreOffice or Ghostscript run (default 2 min).
	OfficeTimeout time.Duration
	// Progress, if set, is called with the number of fax pages done so far,
	// from the goroutine that called Convert.
	Progress func(pages int)
	// Encoded holds the pages T.6-coded as they are produced (Result.Encoded)
	// instead of as pixels (Result.Pages): 40-100 KB instead of 494 KB per
	// fine A4 page, so the memory of a conversion no longer grows with its
	// pages. The coding runs in the rendering workers, in parallel, and
	// WriteFile then only copies it.
	Encoded bool
}

func (o Options) withDefaults() Options {
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.MaxInputBytes <= 0 {
		o.MaxInputBytes = DefaultMaxInputBytes
	}
	if o.MaxImagePixels <= 0 {
		o.MaxImagePixels = DefaultMaxImagePixels
	}
	if o.PageTimeout <= 0 {
		o.PageTimeout = DefaultPageTimeout
	}
	if o.OfficeTimeout <= 0 {
		o.OfficeTimeout = DefaultOfficeTimeout
	}
	if o.Resolution < faxtiff.Standard || o.Resolution > faxtiff.Superfine {
		o.Resolution = faxtiff.Standard
	}
	return o
}

// Result is a converted document.
type Result struct {
	// Pages are the fax pages in order: 1728 pixels wide, at the requested
	// resolution, ready for faxtiff.Write. Nil with Options.Encoded.
	Pages []*faxtiff.Page
	// Encoded are the same pages T.6-coded, with Options.Encoded (else nil).
	Encoded []*faxtiff.Encoded
	// Sources describe the inputs, in order.
	Sources []Source
}

// Source says what one input was and how many fax pages it gave.
type Source struct {
	Name   string
	Format Format
	Pages  int
}

// Len returns the number of pages.
func (r *Result) Len() int { return max(len(r.Pages), len(r.Encoded)) }

// Page returns page i (from 0) as pixels, decoding it if it is held
// encoded.
func (r *Result) Page(i int) (*faxtiff.Page, error) {
	if r.Encoded != nil {
		return r.Encoded[i].Decode()
	}
	return r.Pages[i], nil
}

// WriteFile writes the pages as TIFF-F, atomically (see faxtiff.WriteFile).
func (r *Result) WriteFile(path string) error {
	if r.Encoded != nil {
		return faxtiff.WriteEncodedFile(path, r.Encoded)
	}
	return faxtiff.WriteFile(path, r.Pages)
}

// Write writes the pages as TIFF-F to w.
func (r *Result) Write(w io.Writer) error {
	if r.Encoded != nil {
		return faxtiff.WriteEncoded(w, r.Encoded)
	}
	return faxtiff.Write(w, r.Pages)
}

// Convert turns the inputs, appended in order, into fax pages. It returns
// either every page or an error (an *Error for anything wrong with the
// files; see Kind), never part of a document. It writes nothing to disk
// except private temporary files for office and PostScript inputs, which it
// removes.
//
// Memory: with Options.Encoded the result holds each page's T.6 data (tens
// of KB per page, see doc.go for the bound); otherwise 216 bytes per row
// (494 KB per A4 page at fine, 99 MB for 200 such pages, twice that at
// superfine). While working it adds one page of grey and one of bits per
// PDF worker (≤ 1728 × 5606 bytes of grey) and, for images, the decoded
// image (≤ MaxImagePixels × its bytes per pixel) plus one byte per pixel of
// grey.
func (c *Converter) Convert(ctx context.Context, inputs []Input, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	if len(inputs) == 0 {
		return nil, failf(KindNoPages, nil, "no file was given")
	}
	job := &job{c: c, opts: opts, ctx: ctx}
	res := &Result{}
	for i, in := range inputs {
		name := in.Name
		if name == "" && in.Path != "" {
			name = filepath.Base(in.Path)
		}
		before := job.count()
		format, err := job.convertInput(in)
		if err != nil {
			return nil, withInput(err, i, name)
		}
		if job.count() == before {
			return nil, withInput(failf(KindNoPages, nil, "the file has no pages"), i, name)
		}
		res.Sources = append(res.Sources, Source{Name: name, Format: format, Pages: job.count() - before})
	}
	res.Pages, res.Encoded = job.pages, job.encoded
	return res, nil
}

// ConvertFile converts and writes the TIFF-F file at path atomically: on
// any error nothing is left at path (an existing file there is untouched).
func (c *Converter) ConvertFile(ctx context.Context, inputs []Input, opts Options, path string) (*Result, error) {
	res, err := c.Convert(ctx, inputs, opts)
	if err != nil {
		return nil, err
	}
	if err := res.WriteFile(path); err != nil {
		return nil, fmt.Errorf("document: writing %s: %w", path, err)
	}
	return res, nil
}

// job is one Convert call: options and the pages so far, held as pixels
// (pages) or T.6-coded (encoded) as Options.Encoded says.
type job struct {
	c       *Converter
	opts    Options
	ctx     context.Context
	pages   []*faxtiff.Page
	encoded []*faxtiff.Encoded
}

// heldPage is a finished page in the form the job keeps.
type heldPage struct {
	raw *faxtiff.Page
	enc *faxtiff.Encoded
}

// hold prepares a finished page for keeping: with Options.Encoded it codes
// it, so rendering workers call it to code pages in parallel.
func (j *job) hold(p *faxtiff.Page) heldPage {
	if j.opts.Encoded {
		return heldPage{enc: faxtiff.Encode(p)}
	}
	return heldPage{raw: p}
}

// count returns the number of pages so far.
func (j *job) count() int { return len(j.pages) + len(j.encoded) }

// add appends a finished page, enforcing the page limit.
func (j *job) add(p *faxtiff.Page) error { return j.addHeld(j.hold(p)) }

// addHeld appends a page prepared by hold.
func (j *job) addHeld(h heldPage) error {
	if j.count() >= j.opts.MaxPages {
		return failf(KindTooManyPages, nil, "the document has more than %d pages, the limit", j.opts.MaxPages)
	}
	if h.enc != nil {
		j.encoded = append(j.encoded, h.enc)
	} else {
		j.pages = append(j.pages, h.raw)
	}
	if j.opts.Progress != nil {
		j.opts.Progress(j.count())
	}
	return nil
}

// truncate drops the pages after the first n (a renderer that failed
// half-way, before another one starts over).
func (j *job) truncate(n int) {
	if j.opts.Encoded {
		j.encoded = j.encoded[:n]
	} else {
		j.pages = j.pages[:n]
	}
}

// room returns how many more pages the limit allows.
func (j *job) room() int { return j.opts.MaxPages - j.count() }

// convertInput opens one input, detects its type and converts it.
func (j *job) convertInput(in Input) (Format, error) {
	r, size := in.R, in.Size
	if r == nil {
		f, err := os.Open(in.Path)
		if err != nil {
			return "", fmt.Errorf("document: %w", err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return "", fmt.Errorf("document: %w", err)
		}
		if !st.Mode().IsRegular() {
			return "", failf(KindUnsupported, nil, "not a regular file")
		}
		r, size = f, st.Size()
	}
	if size > j.opts.MaxInputBytes {
		return "", failf(KindTooLarge, nil, "the file is %s, larger than the %s limit", humanBytes(size), humanBytes(j.opts.MaxInputBytes))
	}
	if size <= 0 {
		return "", failf(KindNoPages, nil, "the file is empty")
	}
	src := io.NewSectionReader(r, 0, size)
	format, err := Detect(src, size)
	if err != nil {
		return "", err
	}
	err = j.convertFormat(format, src, size, in.Password)
	return format, err
}

func (j *job) convertFormat(format Format, r *io.SectionReader, size int64, password string) error {
	switch {
	case format == FormatPDF:
		return j.convertPDF(r, size, password)
	case format == FormatTIFF:
		return j.convertTIFF(r, size)
	case format == FormatText:
		return j.convertText(r, size)
	case format == FormatPostScript:
		return j.convertPostScript(r)
	case format.Office():
		return j.convertOffice(format, r)
	case format.Image():
		return j.convertImage(format, r, size)
	}
	return failf(KindUnsupported, nil, msgUnsupported)
}

// humanBytes formats a size for messages: "64 MB", "1.5 GB", "300 KB".
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return trimZero(fmt.Sprintf("%.1f GB", float64(n)/(1<<30)))
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f MB", float64(n)/(1<<20)))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimZero(s string) string {
	return string(bytes.Replace([]byte(s), []byte(".0 "), []byte(" "), 1))
}
