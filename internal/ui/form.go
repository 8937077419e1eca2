package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// form keeps what the user typed and the errors to show next to each field.
type form struct {
	Values map[string]string
	Errors map[string]string
	Err    string // form-level error, shown above the fields
}

func newForm() *form {
	return &form{Values: map[string]string{}, Errors: map[string]string{}}
}

// formFrom copies the named fields of a parsed request form, trimmed
// (passwords are copied as typed).
func formFrom(r *http.Request, names ...string) *form {
	f := newForm()
	for _, n := range names {
		v := r.PostFormValue(n)
		if !strings.Contains(n, "password") {
			v = strings.TrimSpace(v)
		}
		f.Values[n] = v
	}
	return f
}

// Get returns a field's value.
func (f *form) Get(name string) string { return f.Values[name] }

// Set sets a field's value.
func (f *form) Set(name, value string) { f.Values[name] = value }

// Error returns a field's error message, "" when the field is fine.
func (f *form) Error(name string) string { return f.Errors[name] }

// Invalid records an error for a field (the first one wins).
func (f *form) Invalid(name, msg string) {
	if _, ok := f.Errors[name]; !ok {
		f.Errors[name] = msg
	}
}

// HasErrors reports whether anything is wrong.
func (f *form) HasErrors() bool { return len(f.Errors) > 0 || f.Err != "" }

// absorb turns a domain error into field errors. It returns false for
// errors that are not about the input (not found, internal ...).
func (f *form) absorb(err error) bool {
	var ve *model.ValidationError
	var ce *model.ConflictError
	switch {
	case errors.As(err, &ve):
		for k, v := range ve.Fields {
			f.Invalid(k, v)
		}
	case errors.As(err, &ce):
		f.Invalid(ce.Field, "is already in use")
	case errors.Is(err, model.ErrTooLarge):
		f.Err = "The upload is too large."
	case errors.Is(err, model.ErrForbidden):
		f.Err = sentence(err.Error())
	default:
		return false
	}
	if f.Err == "" {
		f.Err = "Please correct the fields marked below."
	}
	return true
}

// intField parses an optional whole number: nil when empty, a field error
// when not a number.
func (f *form) intField(name string) *int {
	s := f.Get(name)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.Invalid(name, "must be a whole number")
		return nil
	}
	return &n
}

// confirmPassword checks that password and its confirmation match.
func (f *form) confirmPassword(pw, confirm string) {
	if f.Get(pw) == "" {
		f.Invalid(pw, "is required")
		return
	}
	if f.Get(pw) != f.Get(confirm) {
		f.Invalid(confirm, "does not match the password")
	}
}

// statusFor is the HTTP status of a page re-rendered with errors.
func statusFor(err error) int {
	return httpx.Classify(err).Status
}

// sentence capitalises a service message and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
