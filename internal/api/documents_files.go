package api

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"faxgate/internal/documents"
	"faxgate/internal/model"
)

// documentImage serves the thumbnail or preview PNG of page {n}.
func (a *API) documentImage(kind documents.ImageKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
		q, err := newQuery(r, "v")
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 1 {
			return fmt.Errorf("%w: no page %q", model.ErrNotFound, r.PathValue("n"))
		}
		d, err := a.d.Documents.Get(r.Context(), actor, pathID(r))
		if err != nil {
			return err
		}
		f, err := a.d.Documents.PageImage(r.Context(), actor, d.ID, n, kind)
		if err != nil {
			return err
		}
		// The address names the revision it was given for: what it serves
		// then never changes (a quality change makes a new revision).
		immutable := q.get("v") == strconv.Itoa(d.Revision)
		return serveFile(w, r, f, "inline", immutable)
	}
}

func (a *API) downloadDocument(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "format")
	if err != nil {
		return err
	}
	format := q.get("format")
	if format == "" {
		format = documents.FormatPDF
	}
	f, err := a.d.Documents.Download(r.Context(), actor, pathID(r), format)
	if err != nil {
		return err
	}
	return serveFile(w, r, f, "attachment", false)
}

// serveFile sends a document file with its validators: conditional and
// range requests work (http.ServeContent). disposition is "inline" or
// "attachment"; the file name may hold any letters (RFC 2231 encoding).
func serveFile(w http.ResponseWriter, r *http.Request, f documents.File, disposition string, immutable bool) error {
	defer f.Body.Close()
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", f.ETag)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}))
	if immutable {
		h.Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	if rs, ok := f.Body.(io.ReadSeeker); ok {
		http.ServeContent(w, r, f.Name, f.ModTime, rs)
		return nil
	}
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	if r.Method == http.MethodHead {
		return nil
	}
	_, _ = io.Copy(w, f.Body) // the status is sent; a broken copy is the client leaving
	return nil
}
