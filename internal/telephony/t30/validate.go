//go:build cgo

package t30

import (
	"errors"
	"io/fs"

	"faxgate/internal/faxtiff"
)

// ErrUnsendable wraps every error about a TxFile that spandsp could not send.
// The wrapped faxtiff error (a *faxtiff.ValidationError for file problems)
// says precisely what is wrong, e.g. "page 1 is 1700 pixels wide; fax pages
// must be 1728, 2048 or 2432 pixels wide".
var ErrUnsendable = errors.New("t30: file cannot be sent")

// validateTxFile checks the file to send before any call state exists:
// spandsp 0.0.6 opens it only when DIS arrives, and a bad file would then
// fail the call in phase B or E instead of before dialing (pitfall 7).
func validateTxFile(path string) error {
	if _, err := faxtiff.Validate(path); err != nil {
		return &unsendableError{path: path, err: err}
	}
	return nil
}

// unsendableError matches both ErrUnsendable and the cause (errors.Is with
// fs.ErrNotExist, faxtiff.ProblemOf, ...), and names the path once.
type unsendableError struct {
	path string
	err  error
}

func (e *unsendableError) Error() string {
	msg := e.err.Error()
	var pe *fs.PathError
	if errors.As(e.err, &pe) {
		msg = pe.Err.Error() // the path is already in front
	}
	return ErrUnsendable.Error() + ": " + e.path + ": " + msg
}

func (e *unsendableError) Unwrap() []error { return []error{ErrUnsendable, e.err} }
