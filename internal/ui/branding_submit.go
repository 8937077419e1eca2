package ui

import (
	"errors"
	"io"
	"net/http"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// maxLogoBytes bounds a logo upload (the service enforces the same).
const maxLogoBytes = 512 << 10

// brandingSubmit saves the text fields and, when a file was chosen, the
// logo; all in one form so that one click applies everything.
func (h *Handler) brandingSubmit(w http.ResponseWriter, r *http.Request) {
	tid, ok := h.brandingTenant(w, r, r.URL.Query().Get("tenant_id"))
	if !ok {
		return
	}
	actor, ctx := actorOf(r), r.Context()
	cur, err := h.ten.GetBranding(ctx, actor, tid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseUpload(r); err != nil {
		f := brandingForm(cur)
		f.Invalid("logo", "the upload is too large or unreadable (a logo may have at most 512 KiB)")
		f.Err = "Nothing was saved."
		h.renderBranding(w, r, http.StatusRequestEntityTooLarge, f, cur, tid)
		return
	}
	f := formFrom(r, "domain", "company_name", "title", "footer")
	in := tenancy.BrandingInput{Domain: ptr(f.Get("domain")), CompanyName: ptr(f.Get("company_name")),
		Title: ptr(f.Get("title")), Footer: ptr(f.Get("footer"))}
	b, err := h.ten.UpdateBranding(ctx, actor, tid, in)
	if err != nil {
		h.brandingFailed(w, r, f, cur, tid, err, "")
		return
	}
	logo, err := readLogo(r)
	if err != nil {
		h.brandingFailed(w, r, f, b, tid, err, "The text fields were saved; the logo was not.")
		return
	}
	if logo != nil {
		if _, err := h.ten.SetLogo(ctx, actor, tid, logo); err != nil {
			h.brandingFailed(w, r, f, b, tid, err, "The text fields were saved; the logo was not.")
			return
		}
	}
	h.success(w, r, "Branding saved.")
	redirect(w, r, brandingURL(tid))
}

// brandingFailed re-renders the form with the errors (logo errors go next
// to the logo input).
func (h *Handler) brandingFailed(w http.ResponseWriter, r *http.Request, f *form, b model.Branding, tid string, err error, note string) {
	if errors.Is(err, model.ErrTooLarge) {
		f.Invalid("logo", "is larger than 512 KiB")
	}
	if !f.absorb(err) {
		h.fail(w, r, err)
		return
	}
	if note != "" {
		f.Err = note
	}
	h.renderBranding(w, r, statusFor(err), f, b, tid)
}

// parseUpload parses a multipart form (or a plain one: the logo is
// optional). Files beyond the memory bound spill to temporary files, but the
// body limit of the middleware caps the whole request anyway.
func parseUpload(r *http.Request) error {
	err := r.ParseMultipartForm(maxLogoBytes + 64<<10)
	if errors.Is(err, http.ErrNotMultipart) {
		return r.ParseForm()
	}
	return err
}

// readLogo returns the uploaded logo file, nil when none was chosen.
func readLogo(r *http.Request) ([]byte, error) {
	file, hdr, err := r.FormFile("logo")
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil
	}
	if err != nil {
		return nil, model.Invalid("logo", "could not be read")
	}
	defer file.Close()
	if hdr.Size == 0 {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(file, maxLogoBytes+1))
	if err != nil {
		return nil, model.Invalid("logo", "could not be read")
	}
	if len(data) > maxLogoBytes {
		return nil, model.Invalid("logo", "is larger than 512 KiB")
	}
	return data, nil
}

func brandingURL(tid string) string {
	if tid == "" {
		return "/admin/branding"
	}
	return "/admin/branding?tenant_id=" + tid
}

func ptr[T any](v T) *T { return &v }
