package ui

import (
	"bufio"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"faxgate/internal/documents"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
)

// maxFaxField bounds one text field of the fax form, in bytes (the
// service's own limits are smaller).
const maxFaxField = 16 << 10

// faxCreate receives New Outbound Fax: a multipart form whose files (if
// any) become a new document, or the urlencoded form of the "preparing"
// page. A fax whose new document is still being converted is not refused:
// the preparing page shows the conversion and sends the same form again
// until the document is ready (the idempotency key makes that one fax).
func (h *Handler) faxCreate(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	f, doc, err := h.receiveFaxForm(ctx, r)
	if err != nil {
		h.faxFormFailed(w, r, f, err)
		return
	}
	if doc.ID != "" {
		f.Set("document_id", doc.ID)
	}
	in := faxInput(f, zoneOf(h.tenantZone(ctx, actor, formTenant(actor, f))))
	if f.HasErrors() {
		keptFiles(f, doc)
		h.faxFormFailed(w, r, f, nil)
		return
	}
	fx, replayed, err := h.fax.Submit(ctx, actor, in)
	if err != nil {
		if d, waiting := h.documentPending(ctx, actor, f, err); waiting {
			h.renderFaxPending(w, r, f, d)
			return
		}
		keptFiles(f, doc)
		h.faxFormFailed(w, r, f, err)
		return
	}
	if !replayed {
		h.success(w, r, "Fax to "+fx.To+" queued ("+pagesText(fx.Pages)+"). This page follows it live.")
	}
	redirect(w, r, "/outbound/"+fx.ID)
}

// receiveFaxForm reads the posted form. Files are streamed into a draft
// document as their parts arrive and committed once the body is read;
// the new document comes back with the fields.
func (h *Handler) receiveFaxForm(ctx context.Context, r *http.Request) (*form, model.Document, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseForm(); err != nil {
			return newForm(), model.Document{}, errBadForm
		}
		return formFrom(r, faxFormFields...), model.Document{}, nil
	}
	fr := &faxReceiver{h: h, actor: actorOf(r), f: newForm()}
	doc, err := fr.receive(ctx, r)
	if err != nil && fr.draft != nil {
		fr.draft.Abort(ctx)
	}
	if err != nil && !errors.Is(err, model.ErrTooLarge) {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	return fr.f, doc, err
}

// keptFiles tells the user that the files of a refused form are kept as
// a document, which the form keeps selected: no need to upload again.
func keptFiles(f *form, doc model.Document) {
	if doc.ID != "" {
		f.Err = "Please correct the fields marked below. Your files were kept as the document “" + doc.Name +
			"”, selected below: no need to upload them again."
	}
}

// errBadForm is a body that is not a form at all (400 page).
var errBadForm = errors.New("ui: unreadable form")

// faxReceiver is one multipart fax form being read.
type faxReceiver struct {
	h         *Handler
	actor     model.Actor
	f         *form
	draft     *documents.Draft // begun with the first file
	firstName string           // the first file's name, names the document
}

func (fr *faxReceiver) receive(ctx context.Context, r *http.Request) (model.Document, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return model.Document{}, errBadForm
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return model.Document{}, fr.explain(err)
		}
		err = fr.part(ctx, p)
		p.Close()
		if err != nil {
			return model.Document{}, fr.explain(err)
		}
	}
	if fr.draft == nil {
		return model.Document{}, nil
	}
	name := fr.f.Get("title")
	if name == "" {
		name = fr.firstName
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return fr.draft.Commit(ctx, name, "Uploaded with a fax from the portal.", model.Quality(fr.f.Get("quality")))
}

// part keeps a text field (bounded) or streams a file into the draft.
func (fr *faxReceiver) part(ctx context.Context, p *multipart.Part) error {
	name := p.FormName()
	if name == "file" {
		return fr.file(ctx, p)
	}
	b, err := io.ReadAll(io.LimitReader(p, maxFaxField+1))
	if err != nil {
		return err
	}
	if len(b) > maxFaxField {
		return model.Invalid(name, "is too long")
	}
	if slices.Contains(faxFormFields, name) {
		fr.f.Set(name, strings.TrimSpace(string(b)))
	}
	return nil
}

// file streams one file part into the draft, beginning it first. An
// empty file input is skipped.
func (fr *faxReceiver) file(ctx context.Context, p *multipart.Part) error {
	body := bufio.NewReader(p)
	if _, err := body.Peek(1); errors.Is(err, io.EOF) && p.FileName() == "" {
		return nil
	} else if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if fr.draft == nil {
		d, err := fr.h.docs.Begin(ctx, fr.actor, formTenant(fr.actor, fr.f))
		if err != nil {
			return err
		}
		fr.draft, fr.firstName = d, p.FileName()
	}
	return fr.draft.AddFile(ctx, documents.Upload{Filename: p.FileName(),
		ContentType: p.Header.Get("Content-Type"), Size: -1, Body: body})
}

// explain turns body read failures into the size error or a bad request.
func (fr *faxReceiver) explain(err error) error {
	var me *http.MaxBytesError
	switch {
	case errors.As(err, &me):
		return &documents.TooLargeError{Limit: fr.h.docs.Limits().MaxUploadBytes}
	case errors.Is(err, io.ErrUnexpectedEOF) || strings.HasPrefix(err.Error(), "multipart: "):
		return errBadForm
	}
	return err
}

// faxInput turns the form into a submission; malformed numbers and dates
// become field errors on f. Times are read in the tenant's zone.
func faxInput(f *form, zone *time.Location) faxout.SubmitInput {
	in := faxout.SubmitInput{TenantID: f.Get("tenant_id"), To: f.Get("to"), DocumentID: f.Get("document_id"),
		CallerID: f.Get("caller_id"), Title: f.Get("title"), Source: model.SourceWeb,
		IdempotencyKey: f.Get("idempotency_key"), Retries: f.intField("retries"),
		CoverPage: &model.CoverPage{Enabled: f.Get("cover_page") == "on", Subject: f.Get("cover_subject"),
			Comments: f.Get("cover_comments")}}
	if s := f.Get("send_at"); s != "" {
		t, err := time.ParseInLocation(sendAtLayout, s, zone)
		if err != nil {
			f.Invalid("send_at", "enter a date and time, or leave it empty to send now")
		}
		in.SendAt = t
	}
	return in
}

// tenantZone is the tenant's time zone name ("" when unknown).
func (h *Handler) tenantZone(ctx context.Context, actor model.Actor, tenantID string) string {
	if tenantID == "" {
		return ""
	}
	fs, err := h.ten.GetFaxSettings(ctx, actor, tenantID)
	if err != nil {
		return ""
	}
	return fs.TimeZone
}

// documentPending reports whether the submission failed only because its
// document is still being converted, and returns that document.
func (h *Handler) documentPending(ctx context.Context, actor model.Actor, f *form, err error) (model.Document, bool) {
	var ve *model.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields["document_id"] == "" {
		return model.Document{}, false
	}
	d, gerr := h.docs.Get(ctx, actor, f.Get("document_id"))
	if gerr != nil || d.Status != model.DocumentProcessing {
		return model.Document{}, false
	}
	return d, true
}

// faxFormFailed shows the form again with the input and the errors. A
// request sent by the preparing page (htmx) gets the whole main area
// replaced, so the form with its errors shows in place of the progress.
func (h *Handler) faxFormFailed(w http.ResponseWriter, r *http.Request, f *form, err error) {
	status := http.StatusUnprocessableEntity
	switch {
	case err == nil:
	case errors.Is(err, errBadForm) || badInput(err):
		h.errorPage(w, r, http.StatusBadRequest)
		return
	case isLimit(err):
		f.Err, status = limitMessage(err), http.StatusTooManyRequests
	case errors.Is(err, model.ErrSuspended):
		f.Err, status = "Your account is suspended: faxes cannot be sent. Ask your administrator.", http.StatusForbidden
	case errors.As(err, new(*model.ConflictError)):
		f.Err, status = "This form was sent already. Open Send Single Fax to see the fax, or send the form again.",
			http.StatusConflict
		f.Set("idempotency_key", newIdempotencyKey())
	case errors.As(err, new(*model.ValidationError)):
		// Plain words for what was left empty, before the service's.
		if f.Get("to") == "" {
			f.Invalid("to", "enter the fax number to send to")
		}
		if f.Get("document_id") == "" {
			f.Invalid("document_id", "choose a document or upload files")
		}
		f.absorb(err)
		// The documents service names the files "files"; the form's input
		// is "file".
		if msg, ok := f.Errors["files"]; ok {
			delete(f.Errors, "files")
			f.Invalid("file", msg)
		}
	case f.absorb(err):
		status = statusFor(err)
		if errors.Is(err, model.ErrTooLarge) {
			f.Invalid("file", sentence(err.Error()))
		}
	default:
		h.fail(w, r, err)
		return
	}
	if f.Get("idempotency_key") == "" {
		f.Set("idempotency_key", newIdempotencyKey())
	}
	if r.Header.Get("HX-Request") == "true" {
		// htmx swaps only 2xx answers.
		status = http.StatusOK
		w.Header().Set("HX-Retarget", "#main")
		w.Header().Set("HX-Reselect", "#main")
		w.Header().Set("HX-Reswap", "outerHTML")
	}
	h.renderFaxForm(w, r, status, f)
}

// faxPendingData is the data of the preparing page.
type faxPendingData struct {
	Doc    docView
	Fields []hiddenField
}

// hiddenField is a form value carried by the preparing page.
type hiddenField struct{ Name, Value string }

// renderFaxPending shows the document's conversion and a form that sends
// the fax as soon as the document is ready (htmx re-posts it every two
// seconds; without JavaScript the button does).
func (h *Handler) renderFaxPending(w http.ResponseWriter, r *http.Request, f *form, d model.Document) {
	data := faxPendingData{Doc: newDocView(actorOf(r), d)}
	for _, n := range faxFormFields {
		if v := f.Get(n); v != "" {
			data.Fields = append(data.Fields, hiddenField{n, v})
		}
	}
	v := h.newView(w, r, "Preparing your fax", "outbound")
	v.Form = f
	v.Data = data
	h.render(w, r, http.StatusOK, "fax_pending", v)
}
