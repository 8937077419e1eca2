package faxtiff

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Problem classifies why a file cannot be read or sent, for callers that
// map it to an API error; the message of the error says it for people.
type Problem string

const (
	ProblemNotTIFF      Problem = "not_tiff"       // not a (classic) TIFF file at all
	ProblemCorrupt      Problem = "corrupt"        // TIFF structure or coded data is broken
	ProblemNoPages      Problem = "no_pages"       // a TIFF without images
	ProblemTooManyPages Problem = "too_many_pages" // more pages than allowed
	ProblemFileSize     Problem = "file_size"      // file larger than allowed
	ProblemBitsPerPixel Problem = "bits_per_pixel" // grey or colour, not 1-bit
	ProblemWidth        Problem = "width"          // not 1728, 2048 or 2432 pixels wide
	ProblemResolution   Problem = "resolution"     // not 204 × 98/196/391 dpi (±5 %)
	ProblemImageSize    Problem = "image_size"     // absurd dimensions
	ProblemFormat       Problem = "format"         // tiles, colour model, compression we cannot read
)

// problemError is a classified error from the reader; Read wraps it with
// the page number, Validate turns it into a ValidationError.
type problemError struct {
	problem Problem
	msg     string
	err     error
}

func (e *problemError) Error() string { return e.msg }
func (e *problemError) Unwrap() error { return e.err }

// problemf formats like fmt.Errorf (including %w) and classifies the error.
func problemf(p Problem, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &problemError{problem: p, msg: err.Error(), err: errors.Unwrap(err)}
}

// ProblemOf returns the classification of an error from Read or Validate,
// or "" for other errors (I/O errors, for instance).
func ProblemOf(err error) Problem {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Problem
	}
	var pe *problemError
	if errors.As(err, &pe) {
		return pe.problem
	}
	return ""
}

// ValidationError says why a file cannot be sent as it is. Its message is
// meant for the person who uploaded the file.
type ValidationError struct {
	Page    int // 1-based page with the problem, 0 for the whole file
	Problem Problem
	Msg     string
	Err     error // underlying error, if any
}

func (e *ValidationError) Error() string { return e.Msg }
func (e *ValidationError) Unwrap() error { return e.Err }

// Info describes a valid fax file. Width and Resolution are those of the
// first page (later pages may differ; each is valid on its own).
type Info struct {
	Pages      int
	Width      int
	Resolution Resolution
	Bytes      int64
}

// Defaults for ValidateOptions.
const (
	DefaultMaxPages = 1000
	DefaultMaxBytes = 100 << 20
)

// ValidateOptions tunes Validate; zero values mean the defaults.
type ValidateOptions struct {
	MaxPages int   // default DefaultMaxPages
	MaxBytes int64 // file size limit; default DefaultMaxBytes
	// HeadersOnly skips decoding the page data, which otherwise proves that
	// no page is truncated or corrupt (spandsp would fail mid-call).
	HeadersOnly bool
}

// Validate reports whether spandsp 0.0.6 can send the file at path exactly
// as it is, with the default options. A *ValidationError names the page
// and the problem; other errors (file not found, I/O) are returned as they
// are. On error, Info holds what was learned before the problem.
func Validate(path string) (Info, error) {
	return ValidateWith(path, ValidateOptions{})
}

// ValidateWith is Validate with options.
func ValidateWith(path string, opts ValidateOptions) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	if !st.Mode().IsRegular() {
		return Info{}, &ValidationError{Problem: ProblemNotTIFF, Msg: fmt.Sprintf("%s is not a regular file", path)}
	}
	return ValidateReader(f, st.Size(), opts)
}

// ValidateReader validates a TIFF held in r (size bytes), like ValidateWith.
func ValidateReader(r io.ReaderAt, size int64, opts ValidateOptions) (Info, error) {
	if opts.MaxPages <= 0 {
		opts.MaxPages = DefaultMaxPages
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	info := Info{Bytes: size}
	if size > opts.MaxBytes {
		return info, &ValidationError{Problem: ProblemFileSize,
			Msg: fmt.Sprintf("the file is %s; the limit is %s", mb(size), mb(opts.MaxBytes))}
	}
	t, dirs, err := openTIFF(r, size)
	if err != nil {
		return info, fileError(0, err)
	}
	info.Pages = len(dirs)
	if len(dirs) > opts.MaxPages {
		return info, &ValidationError{Problem: ProblemTooManyPages,
			Msg: fmt.Sprintf("the file has %d pages; the limit is %d", len(dirs), opts.MaxPages)}
	}
	var buf []byte // one pixel buffer for all pages: Validate keeps none
	for i, off := range dirs {
		d, err := t.readDir(off)
		if err != nil {
			return info, fileError(i+1, err)
		}
		if err := sendable(d); err != nil {
			return info, fileError(i+1, err)
		}
		if i == 0 {
			info.Width = d.width
			info.Resolution, _ = MatchResolution(d.yres)
		}
		if opts.HeadersOnly {
			continue
		}
		p, err := t.decode(d, buf)
		if err != nil {
			return info, fileError(i+1, err)
		}
		buf = p.Pix
	}
	return info, nil
}

// sendable checks what spandsp 0.0.6 checks before sending a page: an
// exact T.4 width (it cannot scale) and a resolution it knows.
func sendable(d *dir) error {
	switch d.width {
	case WidthA4, WidthB4, WidthA3:
	default:
		return problemf(ProblemWidth, "is %d pixels wide; fax pages must be %d, %d or %d pixels wide", d.width, WidthA4, WidthB4, WidthA3)
	}
	if d.xres == 0 || d.yres == 0 {
		return problemf(ProblemResolution, "has no resolution in dpi; fax pages must be 204×98, 204×196 or 204×391 dpi")
	}
	if !within(d.xres, XDPI) {
		return problemf(ProblemResolution, "has a horizontal resolution of %.4g dpi; fax pages must have 204 dpi (200 is accepted)", d.xres)
	}
	if _, ok := MatchResolution(d.yres); !ok {
		return problemf(ProblemResolution, "has a vertical resolution of %.4g dpi; fax pages must have 98, 196 or 391 dpi (±5 %%)", d.yres)
	}
	return nil
}

// fileError turns a reader error into a ValidationError naming the page.
// Page problems read "page 2 has 8 bits per pixel…", the messages of the
// checks being written to follow "page N".
func fileError(page int, err error) error {
	var pe *problemError
	if !errors.As(err, &pe) {
		return err // I/O error: not the file's fault
	}
	msg := pe.msg
	if page > 0 {
		msg = pageMsg(page, msg)
	}
	return &ValidationError{Page: page, Problem: pe.problem, Msg: msg, Err: err}
}

// pageMsg joins "page N" and a reader message: "image has 8 bits…" becomes
// "page 1 has 8 bits…", "is 1700 pixels wide" "page 1 is 1700 pixels wide",
// and anything else "page 1: …".
func pageMsg(page int, msg string) string {
	const image = "image "
	switch {
	case len(msg) > len(image) && msg[:len(image)] == image:
		return fmt.Sprintf("page %d %s", page, msg[len(image):])
	case len(msg) > 3 && (msg[:3] == "is " || msg[:4] == "has "):
		return fmt.Sprintf("page %d %s", page, msg)
	}
	return fmt.Sprintf("page %d: %s", page, msg)
}

func mb(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)>>10)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
