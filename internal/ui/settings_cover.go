package ui

import (
	"net/http"
	"net/url"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// coverData is what the cover page settings page shows beside the form.
type coverData struct {
	PreviewURL string // the preview image for the values in the form
	HasLogo    bool
}

// coverFields are the fields of the form.
var coverFields = []string{"enabled", "sender_name", "company", "phone", "email", "comments", "show_logo"}

// coverShow is Configuration > Cover Page: what the tenant's cover pages
// say about the sender, with a preview of the page that follows the typing
// (htmx posts the form to coverPreview, debounced, and swaps the image).
func (h *Handler) coverShow(w http.ResponseWriter, r *http.Request) {
	c, err := h.ten.GetCoverPage(r.Context(), actorOf(r), "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderCover(w, r, http.StatusOK, coverForm(c))
}

func coverForm(c model.CoverPageSettings) *form {
	f := newForm()
	if c.Enabled {
		f.Set("enabled", "on")
	}
	if c.ShowLogo {
		f.Set("show_logo", "on")
	}
	f.Set("sender_name", c.SenderName)
	f.Set("company", c.Company)
	f.Set("phone", c.Phone)
	f.Set("email", c.Email)
	f.Set("comments", c.Comments)
	return f
}

// coverPostedForm reads the form as typed (line breaks of the comments
// kept).
func coverPostedForm(r *http.Request) *form {
	f := formFrom(r, "enabled", "sender_name", "company", "phone", "email", "show_logo")
	f.Set("comments", r.PostFormValue("comments"))
	return f
}

func (h *Handler) renderCover(w http.ResponseWriter, r *http.Request, status int, f *form) {
	v := h.newView(w, r, "Cover Page", "cover-page")
	v.Form = f
	d := coverData{PreviewURL: coverPreviewURL(f)}
	if b, err := h.ten.GetBranding(r.Context(), actorOf(r), ""); err == nil {
		d.HasLogo = b.HasLogo()
	}
	v.Data = d
	h.render(w, r, status, "settings_cover", v)
}

// coverPreviewURL is the API's preview of the page with the form's values
// (same origin: the session authenticates the image request).
func coverPreviewURL(f *form) string {
	q := url.Values{}
	for _, k := range []string{"sender_name", "company", "phone", "email", "comments"} {
		q.Set(k, f.Get(k))
	}
	q.Set("show_logo", "false")
	if f.Get("show_logo") == "on" {
		q.Set("show_logo", "true")
	}
	return "/api/v1/settings/cover-page/preview?" + q.Encode()
}

// coverPreview renders the page for the values as typed, not saved; htmx
// takes only the preview box (hx-select).
func (h *Handler) coverPreview(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	h.renderCover(w, r, http.StatusOK, coverPostedForm(r))
}

// coverSubmit saves the settings.
func (h *Handler) coverSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := coverPostedForm(r)
	_, err := h.ten.UpdateCoverPage(r.Context(), actorOf(r), "", tenancy.CoverPageInput{
		Enabled: ptr(f.Get("enabled") == "on"), ShowLogo: ptr(f.Get("show_logo") == "on"),
		SenderName: ptr(f.Get("sender_name")), Company: ptr(f.Get("company")), Phone: ptr(f.Get("phone")),
		Email: ptr(f.Get("email")), Comments: ptr(f.Get("comments"))})
	if err != nil {
		if f.absorb(err) {
			h.renderCover(w, r, statusFor(err), f)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Cover page saved.")
	redirect(w, r, "/settings/cover-page")
}
