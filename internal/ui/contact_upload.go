package ui

import (
	"bufio"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
)

// maxUploadField bounds a text field of the upload forms, in bytes.
const maxUploadField = 8 << 10

// csvUpload is a CSV upload form being read: the text fields sent before
// the file, and the file itself, streamed from the request (nil when no
// file was chosen).
type csvUpload struct {
	File     io.Reader
	Filename string
}

// readUpload reads a multipart upload form (group, group import and
// do-not-contact import): the text fields named go into f (others are
// ignored) until the first chosen "file" part, which is returned unread.
// It answers 400 itself and returns false when the body is not a valid
// form.
func (h *Handler) readUpload(w http.ResponseWriter, r *http.Request, f *form, names ...string) (csvUpload, bool) {
	mr, err := r.MultipartReader()
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest)
		return csvUpload{}, false
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return csvUpload{}, true
		}
		if err != nil || p.FormName() != "file" && !readFormPart(p, f, names) {
			h.errorPage(w, r, http.StatusBadRequest)
			return csvUpload{}, false
		}
		if p.FormName() != "file" {
			continue
		}
		body := bufio.NewReader(p)
		if _, err := body.Peek(1); err == nil {
			return csvUpload{File: body, Filename: p.FileName()}, true
		}
	}
}

// readFormPart copies a text field of a multipart form into f when it is
// one of names; false when it is too long or breaks off.
func readFormPart(p *multipart.Part, f *form, names []string) bool {
	if !slices.Contains(names, p.FormName()) {
		return true
	}
	b, err := io.ReadAll(io.LimitReader(p, maxUploadField+1))
	if err != nil || len(b) > maxUploadField {
		return false
	}
	f.Set(p.FormName(), strings.TrimSpace(string(b)))
	return true
}
