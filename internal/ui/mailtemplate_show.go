package ui

import (
	"net/http"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// mailTemplateData is the data of the fax-to-email template page.
type mailTemplateData struct {
	Subject, Body string // the preview, rendered with sample data
	PreviewErr    string
	Fields        []string // what templates may use
}

// mailTemplateShow is Configuration > Fax-to-Email: the subject and body
// templates of the emails that forward received faxes, with a preview
// rendered from sample data (live, as the tenant admin types).
func (h *Handler) mailTemplateShow(w http.ResponseWriter, r *http.Request) {
	fs, err := h.ten.GetFaxSettings(r.Context(), actorOf(r), "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm()
	f.Set("email_subject_template", fs.EmailSubjectTemplate)
	f.Set("email_body_template", fs.EmailBodyTemplate)
	h.renderMailTemplate(w, r, http.StatusOK, f)
}

func (h *Handler) renderMailTemplate(w http.ResponseWriter, r *http.Request, status int, f *form) {
	v := h.newView(w, r, "Fax-to-Email", "fax-email")
	v.Form = f
	v.Data = previewMail(f)
	h.render(w, r, status, "mailtemplate", v)
}

// previewMail renders the form's templates with sample data.
func previewMail(f *form) mailTemplateData {
	d := mailTemplateData{Fields: []string{"{{.From}}", "{{.To}}", "{{.Pages}}", "{{.ReceivedAt}}", "{{.Status}}",
		"{{.Result}}", "{{.RemoteStationID}}", "{{.Duration}}", "{{.TenantName}}", "{{.Link}}", "{{.Attached}}", "{{.FaxID}}"}}
	subject, body, err := tenancy.PreviewFaxEmail(f.Get("email_subject_template"), f.Get("email_body_template"))
	if err != nil {
		d.PreviewErr = "The preview cannot be shown until the templates are fixed."
		if ve, ok := err.(*model.ValidationError); ok {
			for k, msg := range ve.Fields {
				f.Invalid(k, msg)
			}
		}
		return d
	}
	d.Subject, d.Body = subject, body
	return d
}
