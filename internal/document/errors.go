package document

import (
	"errors"
	"fmt"
)

// Kind classifies why a document could not be converted. The API maps kinds
// to HTTP statuses in one place; the suggested mapping is given per kind.
type Kind string

// The kinds of conversion errors.
const (
	// KindUnsupported: the content is no format we convert (422; an
	// executable renamed .pdf lands here).
	KindUnsupported Kind = "unsupported_type"
	// KindCorrupt: the file claims a format but is damaged or truncated (422).
	KindCorrupt Kind = "corrupt"
	// KindEncrypted: a password-protected PDF or office file (422).
	KindEncrypted Kind = "encrypted"
	// KindNoPages: a well-formed file without any page (422).
	KindNoPages Kind = "no_pages"
	// KindTooManyPages: more fax pages than Options.MaxPages (422).
	KindTooManyPages Kind = "too_many_pages"
	// KindTooLarge: an input file over Options.MaxInputBytes (413).
	KindTooLarge Kind = "too_large"
	// KindImageTooLarge: an image over the pixel budget, refused from its
	// header before decoding (413).
	KindImageTooLarge Kind = "image_too_large"
	// KindTimeout: a page took longer than Options.PageTimeout, or an office
	// conversion longer than Options.OfficeTimeout (422).
	KindTimeout Kind = "timeout"
	// KindNeedsLibreOffice: an office file while LibreOffice is not installed
	// (422).
	KindNeedsLibreOffice Kind = "needs_libreoffice"
	// KindNeedsGhostscript: a PostScript file while Ghostscript is not
	// installed (422).
	KindNeedsGhostscript Kind = "needs_ghostscript"
)

// TooLarge reports whether the kind is about size (HTTP 413) rather than
// content (HTTP 422).
func (k Kind) TooLarge() bool { return k == KindTooLarge || k == KindImageTooLarge }

// Error is a conversion failure with a message meant for the person who
// uploaded the file, e.g. `report.pdf: the PDF is password-protected`.
type Error struct {
	Kind  Kind
	Input int    // index of the input in the Convert call (0-based)
	Name  string // the input's name, as given by the caller
	Page  int    // 1-based page of the input, 0 when not about one page
	Msg   string // what is wrong, without the name
	Err   error  // underlying error, if any (not shown to users)
}

func (e *Error) Error() string {
	msg := e.Msg
	if e.Page > 0 {
		msg = fmt.Sprintf("page %d: %s", e.Page, msg)
	}
	if e.Name != "" {
		msg = e.Name + ": " + msg
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrEncrypted) and friends match on the kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Msg == "" && t.Name == ""
}

// Sentinels for errors.Is; they carry only a kind.
var (
	ErrUnsupported      = &Error{Kind: KindUnsupported}
	ErrCorrupt          = &Error{Kind: KindCorrupt}
	ErrEncrypted        = &Error{Kind: KindEncrypted}
	ErrNoPages          = &Error{Kind: KindNoPages}
	ErrTooManyPages     = &Error{Kind: KindTooManyPages}
	ErrTooLarge         = &Error{Kind: KindTooLarge}
	ErrImageTooLarge    = &Error{Kind: KindImageTooLarge}
	ErrTimeout          = &Error{Kind: KindTimeout}
	ErrNeedsLibreOffice = &Error{Kind: KindNeedsLibreOffice}
	ErrNeedsGhostscript = &Error{Kind: KindNeedsGhostscript}
)

// KindOf returns the kind of a conversion error, or "" for other errors
// (context cancellation, I/O errors writing the output, internal faults).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// Messages shared by several formats.
const (
	msgUnsupported      = "unsupported file type; send a PDF, TIFF, PNG, JPEG, GIF, BMP, WebP, plain text or office document"
	msgNeedsLibreOffice = "this format needs LibreOffice, which is not installed on this server"
	msgNeedsGhostscript = "PostScript needs Ghostscript, which is not installed on this server"
	msgEncryptedPDF     = "the PDF is password-protected"
)

// failf returns an *Error of kind k; the input and name are filled in by
// the caller that knows them (see Convert).
func failf(k Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...), Err: err}
}

// withInput stamps an error with the input it came from. Errors that are not
// *Error (cancellation, internal faults) pass through unchanged.
func withInput(err error, index int, name string) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Input, c.Name = index, name
	return &c
}

// withPage stamps an *Error with the 1-based source page, keeping an
// existing page number.
func withPage(err error, page int) error {
	var e *Error
	if !errors.As(err, &e) || e.Page != 0 {
		return err
	}
	c := *e
	c.Page = page
	return &c
}
