package api

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"faxgate/internal/documents"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// UploadFields are the text fields of a document upload as they were sent,
// so that a form can be shown again with them after an error.
type UploadFields struct {
	TenantID    string
	Name        string
	Description string
	Quality     string
}

// maxUploadField bounds one text field of an upload, in bytes (the
// service's own limits are in characters and smaller).
const maxUploadField = 16 << 10

// filePart is the form field name of the files of a document upload.
const filePart = "file"

// ReceiveDocument creates a document from a multipart/form-data request
// with the text fields name, description, quality and tenant_id and one or
// more file parts named "file", appended in the order sent. Each file is
// streamed into the documents service as its part arrives, never held in
// memory, so the text fields may come before or after the files; only
// tenant_id, which decides where the files go, must come before them.
// tenantID is a tenant named outside the form (a query parameter); a
// non-empty tenant_id field replaces it. A file part without a file name
// and without content (a file input left empty) is skipped.
//
// The API and the portal both upload through here. On error nothing is
// left behind, the rest of the body is read (within the request's body
// limit) so that browsers still get the answer, and the fields read so far
// come back with the error.
func ReceiveDocument(ctx context.Context, docs *documents.Service, actor model.Actor, r *http.Request, tenantID string) (model.Document, UploadFields, error) {
	rc := &receiver{docs: docs, actor: actor, fields: UploadFields{TenantID: tenantID}, seen: map[string]bool{}}
	d, err := rc.receive(ctx, r)
	if err != nil {
		if rc.draft != nil {
			rc.draft.Abort(ctx)
		}
		err = rc.explain(err)
		if !errors.Is(err, model.ErrTooLarge) {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		return model.Document{}, rc.fields, err
	}
	return d, rc.fields, nil
}

// receiver is one upload in progress.
type receiver struct {
	docs   *documents.Service
	actor  model.Actor
	fields UploadFields
	seen   map[string]bool
	draft  *documents.Draft // begun with the first file
}

func (rc *receiver) receive(ctx context.Context, r *http.Request) (model.Document, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return model.Document{}, fmt.Errorf("%w: send multipart/form-data with the fields name, quality and %s (%v)",
			httpx.ErrUnsupportedMediaType, filePart, err)
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return model.Document{}, err
		}
		err = rc.part(ctx, p)
		p.Close()
		if err != nil {
			return model.Document{}, err
		}
	}
	if rc.draft == nil {
		return model.Document{}, rc.noFiles(ctx)
	}
	f := rc.fields
	return rc.draft.Commit(ctx, f.Name, f.Description, model.Quality(f.Quality))
}

// part handles one multipart part.
func (rc *receiver) part(ctx context.Context, p *multipart.Part) error {
	name := p.FormName()
	var dst *string
	switch name {
	case filePart:
		return rc.file(ctx, p)
	case "name":
		dst = &rc.fields.Name
	case "description":
		dst = &rc.fields.Description
	case "quality":
		dst = &rc.fields.Quality
	case "tenant_id":
		if rc.draft != nil {
			return &httpx.BadRequestError{Field: name, Message: "tenant_id must come before the files"}
		}
		dst = &rc.fields.TenantID
	default:
		return &httpx.BadRequestError{Field: name, Message: fmt.Sprintf(
			"unknown form field %q; the fields are name, description, quality, tenant_id and %s", name, filePart)}
	}
	if rc.seen[name] {
		return &httpx.BadRequestError{Field: name, Message: "the field " + name + " is sent twice"}
	}
	rc.seen[name] = true
	b, err := io.ReadAll(io.LimitReader(p, maxUploadField+1))
	if err != nil {
		return err
	}
	if len(b) > maxUploadField {
		return model.Invalid(name, "is too long")
	}
	if v := string(b); name != "tenant_id" || v != "" {
		*dst = v
	}
	return nil
}

// file streams one file part into the draft, beginning it first.
func (rc *receiver) file(ctx context.Context, p *multipart.Part) error {
	body := bufio.NewReader(p)
	if _, err := body.Peek(1); errors.Is(err, io.EOF) && p.FileName() == "" {
		return nil // a file input left empty
	} else if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if rc.draft == nil {
		d, err := rc.docs.Begin(ctx, rc.actor, rc.fields.TenantID)
		if err != nil {
			return err
		}
		rc.draft = d
	}
	return rc.draft.AddFile(ctx, documents.Upload{Filename: p.FileName(),
		ContentType: p.Header.Get("Content-Type"), Size: -1, Body: body})
}

// noFiles explains an upload without files, with the other fields' errors.
func (rc *receiver) noFiles(ctx context.Context) error {
	f := rc.fields
	_, err := rc.docs.Create(ctx, rc.actor, documents.CreateInput{TenantID: f.TenantID, Name: f.Name,
		Description: f.Description, Quality: model.Quality(f.Quality)})
	var ve *model.ValidationError
	if errors.As(err, &ve) && ve.Fields["files"] == "" {
		ve.Add("files", "add at least one file")
	}
	return err
}

// explain turns failures to read the request body into the API's errors:
// over the body limit is the service's 413, a body that breaks off or does
// not parse is a 400.
func (rc *receiver) explain(err error) error {
	var me *http.MaxBytesError
	switch {
	case errors.As(err, &me) || strings.Contains(err.Error(), "request body too large"):
		return &documents.TooLargeError{Limit: rc.docs.Limits().MaxUploadBytes}
	case errors.Is(err, io.ErrUnexpectedEOF) || strings.HasPrefix(err.Error(), "multipart: "):
		return httpx.BadRequest("the upload is incomplete or not valid multipart: %v", err)
	}
	return err
}
