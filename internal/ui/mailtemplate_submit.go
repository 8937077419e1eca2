package ui

import (
	"net/http"

	"faxgate/internal/tenancy"
)

// mailTemplateSubmit saves the tenant's fax-to-email templates; empty
// fields go back to faxgate's defaults.
func (h *Handler) mailTemplateSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := mailTemplateForm(r)
	subject, body := f.Get("email_subject_template"), f.Get("email_body_template")
	_, err := h.ten.UpdateFaxSettings(r.Context(), actorOf(r), "", tenancy.FaxSettingsInput{
		EmailSubjectTemplate: &subject, EmailBodyTemplate: &body})
	if err != nil {
		if f.absorb(err) {
			h.renderMailTemplate(w, r, statusFor(err), f)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Fax-to-email templates saved.")
	redirect(w, r, "/settings/fax-email")
}

// mailTemplateForm reads the two templates as typed (line breaks kept).
func mailTemplateForm(r *http.Request) *form {
	f := newForm()
	f.Set("email_subject_template", r.PostFormValue("email_subject_template"))
	f.Set("email_body_template", r.PostFormValue("email_body_template"))
	return f
}
