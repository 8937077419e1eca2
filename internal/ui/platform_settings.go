package ui

import (
	"net/http"
	"strconv"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// platformRoutes are Administration > Platform: the SMTP relay with its
// test email, email limits, retention bounds and webhook targets.
func (h *Handler) platformRoutes() []route {
	rs := []route{
		{"GET /admin/platform", adminOnly, h.platformShow},
		{"POST /admin/platform", adminOnly, h.platformSubmit},
	}
	if h.mailer != nil {
		rs = append(rs, route{"POST /admin/platform/test-email", adminOnly, h.platformTestEmail})
	}
	return rs
}

// platformData is the data of the platform settings page.
type platformData struct {
	PasswordSet  bool
	PasswordHelp string
	Securities   []option
	CanTest      bool
	TestForm     *form
}

var securityOptions = []option{{"starttls", "STARTTLS (port 587)"}, {"tls", "Implicit TLS (port 465)"},
	{"none", "None (trusted network only)"}}

// platformFields are the form fields, in page order.
var platformFields = []string{"smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_password",
	"smtp_envelope_from", "smtp_from_name", "smtp_from_address", "smtp_helo_name", "email_attachment_limit_mb",
	"retention_min_days", "retention_max_days", "retention_default_days", "allow_private_webhook_targets",
	"email_to_fax_domain"}

func (h *Handler) platformShow(w http.ResponseWriter, r *http.Request) {
	p, err := h.ten.GetPlatformSettings(r.Context(), actorOf(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderPlatform(w, r, http.StatusOK, platformForm(p), newForm(), p)
}

// platformForm fills the form from the saved settings (never the password).
func platformForm(p model.PlatformSettings) *form {
	f := newForm()
	f.Set("smtp_host", p.SMTP.Host)
	f.Set("smtp_port", strconv.Itoa(p.SMTP.Port))
	f.Set("smtp_security", string(p.SMTP.Security))
	f.Set("smtp_username", p.SMTP.Username)
	f.Set("smtp_envelope_from", p.SMTP.EnvelopeFrom)
	f.Set("smtp_from_name", p.SMTP.FromName)
	f.Set("smtp_from_address", p.SMTP.FromAddress)
	f.Set("smtp_helo_name", p.SMTP.HELOName)
	f.Set("email_attachment_limit_mb", strconv.FormatInt(p.EmailAttachmentLimit>>20, 10))
	f.Set("retention_min_days", strconv.Itoa(p.RetentionMinDays))
	f.Set("retention_max_days", strconv.Itoa(p.RetentionMaxDays))
	f.Set("retention_default_days", strconv.Itoa(p.RetentionDefaultDays))
	if p.AllowPrivateWebhookTargets {
		f.Set("allow_private_webhook_targets", "on")
	}
	f.Set("email_to_fax_domain", p.EmailToFaxDomain)
	return f
}

func (h *Handler) platformSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	actor := actorOf(r)
	f := formFrom(r, platformFields...)
	in := platformInput(f, r.PostFormValue("smtp_password_clear") == "on")
	if !f.HasErrors() {
		_, err := h.ten.UpdatePlatformSettings(r.Context(), actor, in)
		if err == nil {
			h.success(w, r, "Platform settings saved.")
			redirect(w, r, "/admin/platform")
			return
		}
		if !f.absorb(renameField(err, "email_attachment_limit", "email_attachment_limit_mb")) {
			h.fail(w, r, err)
			return
		}
	}
	p, err := h.ten.GetPlatformSettings(r.Context(), actor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Set("smtp_password", "")
	h.renderPlatform(w, r, http.StatusUnprocessableEntity, f, newForm(), p)
}

// platformInput reads the form; an empty password field keeps the saved
// one unless clear is set.
func platformInput(f *form, clear bool) tenancy.PlatformSettingsInput {
	str := func(k string) *string { v := f.Get(k); return &v }
	sec := model.SMTPSecurity(f.Get("smtp_security"))
	in := tenancy.PlatformSettingsInput{SMTPHost: str("smtp_host"), SMTPSecurity: &sec,
		SMTPUsername: str("smtp_username"), SMTPEnvelopeFrom: str("smtp_envelope_from"),
		SMTPFromName: str("smtp_from_name"), SMTPFromAddress: str("smtp_from_address"),
		SMTPHELOName: str("smtp_helo_name"), EmailToFaxDomain: str("email_to_fax_domain"),
		SMTPPort: f.intField("smtp_port"), RetentionMinDays: f.intField("retention_min_days"),
		RetentionMaxDays: f.intField("retention_max_days"), RetentionDefaultDays: f.intField("retention_default_days")}
	if pw := f.Get("smtp_password"); pw != "" || clear {
		in.SMTPPassword = &pw
	}
	if mb := f.intField("email_attachment_limit_mb"); mb != nil {
		n := int64(*mb) << 20
		in.EmailAttachmentLimit = &n
	}
	allow := f.Get("allow_private_webhook_targets") == "on"
	in.AllowPrivateWebhookTargets = &allow
	return in
}

// renameField moves a validation message to the form's field name.
func renameField(err error, from, to string) error {
	if ve, ok := err.(*model.ValidationError); ok {
		if msg, ok := ve.Fields[from]; ok {
			delete(ve.Fields, from)
			ve.Fields[to] = msg
		}
	}
	return err
}

// platformTestEmail sends a test email through the saved relay and says
// what the relay answered.
func (h *Handler) platformTestEmail(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	actor := actorOf(r)
	tf := formFrom(r, "to")
	err := h.mailer.SendTest(r.Context(), actor, tf.Get("to"))
	if err == nil {
		h.success(w, r, "Test email sent to "+tf.Get("to")+": the relay accepted it.")
		redirect(w, r, "/admin/platform")
		return
	}
	if !tf.absorb(err) {
		tf.Err = "The relay did not take the test email: " + err.Error()
	}
	p, gerr := h.ten.GetPlatformSettings(r.Context(), actor)
	if gerr != nil {
		h.fail(w, r, gerr)
		return
	}
	h.renderPlatform(w, r, http.StatusUnprocessableEntity, platformForm(p), tf, p)
}

func (h *Handler) renderPlatform(w http.ResponseWriter, r *http.Request, status int, f, tf *form, p model.PlatformSettings) {
	v := h.newView(w, r, "Platform settings", "platform")
	v.Form = f
	help := "No password saved."
	if p.SMTP.Password != "" {
		help = "A password is saved: leave empty to keep it."
	}
	v.Data = platformData{PasswordSet: p.SMTP.Password != "", PasswordHelp: help, Securities: securityOptions,
		CanTest: h.mailer != nil && p.SMTP.Configured(), TestForm: tf}
	h.render(w, r, status, "platform", v)
}
