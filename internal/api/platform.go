package api

import (
	"net/http"
	"time"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// PlatformSettings are the admin's platform-wide settings: the SMTP relay
// for fax-to-email and notices, email limits, retention bounds, webhook
// targets and the email-to-fax domain.
type PlatformSettings struct {
	SMTPHost                   string    `json:"smtp_host" api:"required" doc:"Empty: no email is sent."`
	SMTPPort                   int       `json:"smtp_port" api:"required"`
	SMTPSecurity               string    `json:"smtp_security" api:"required" enum:"none,starttls,tls"`
	SMTPUsername               string    `json:"smtp_username" api:"required" doc:"Empty: no AUTH."`
	SMTPPasswordSet            bool      `json:"smtp_password_set" api:"required,readonly" doc:"The password itself is never shown."`
	SMTPEnvelopeFrom           string    `json:"smtp_envelope_from" api:"required"`
	SMTPFromName               string    `json:"smtp_from_name" api:"required"`
	SMTPFromAddress            string    `json:"smtp_from_address" api:"required"`
	SMTPHELOName               string    `json:"smtp_helo_name" api:"required"`
	EmailAttachmentLimit       int64     `json:"email_attachment_limit" api:"required" doc:"Bytes of attachments per email; bigger faxes are linked."`
	RetentionMinDays           int       `json:"retention_min_days" api:"required"`
	RetentionMaxDays           int       `json:"retention_max_days" api:"required"`
	RetentionDefaultDays       int       `json:"retention_default_days" api:"required" doc:"Given to new tenants."`
	AllowPrivateWebhookTargets bool      `json:"allow_private_webhook_targets" api:"required"`
	EmailToFaxDomain           string    `json:"email_to_fax_domain" api:"required" doc:"Empty: the --email-domain flag."`
	UpdatedAt                  time.Time `json:"updated_at" api:"required,readonly"`
}

// PlatformSettingsPatch changes the fields present.
type PlatformSettingsPatch struct {
	SMTPHost                   *string `json:"smtp_host"`
	SMTPPort                   *int    `json:"smtp_port"`
	SMTPSecurity               *string `json:"smtp_security" enum:"none,starttls,tls"`
	SMTPUsername               *string `json:"smtp_username"`
	SMTPPassword               *string `json:"smtp_password" api:"writeonly" doc:"Empty string clears it."`
	SMTPEnvelopeFrom           *string `json:"smtp_envelope_from"`
	SMTPFromName               *string `json:"smtp_from_name"`
	SMTPFromAddress            *string `json:"smtp_from_address"`
	SMTPHELOName               *string `json:"smtp_helo_name"`
	EmailAttachmentLimit       *int64  `json:"email_attachment_limit"`
	RetentionMinDays           *int    `json:"retention_min_days"`
	RetentionMaxDays           *int    `json:"retention_max_days"`
	RetentionDefaultDays       *int    `json:"retention_default_days"`
	AllowPrivateWebhookTargets *bool   `json:"allow_private_webhook_targets"`
	EmailToFaxDomain           *string `json:"email_to_fax_domain"`
}

// TestEmail asks for a test email through the saved relay.
type TestEmail struct {
	To string `json:"to" api:"required" doc:"The address to send it to."`
}

// TestEmailResult is the relay's answer.
type TestEmailResult struct {
	Sent  bool   `json:"sent" api:"required"`
	Error string `json:"error" api:"required" doc:"Why the relay refused or could not be reached; empty when sent."`
}

func platformDTO(p model.PlatformSettings) PlatformSettings {
	return PlatformSettings{SMTPHost: p.SMTP.Host, SMTPPort: p.SMTP.Port, SMTPSecurity: string(p.SMTP.Security),
		SMTPUsername: p.SMTP.Username, SMTPPasswordSet: p.SMTP.Password != "", SMTPEnvelopeFrom: p.SMTP.EnvelopeFrom,
		SMTPFromName: p.SMTP.FromName, SMTPFromAddress: p.SMTP.FromAddress, SMTPHELOName: p.SMTP.HELOName,
		EmailAttachmentLimit: p.EmailAttachmentLimit, RetentionMinDays: p.RetentionMinDays,
		RetentionMaxDays: p.RetentionMaxDays, RetentionDefaultDays: p.RetentionDefaultDays,
		AllowPrivateWebhookTargets: p.AllowPrivateWebhookTargets, EmailToFaxDomain: p.EmailToFaxDomain,
		UpdatedAt: p.UpdatedAt}
}

func (in PlatformSettingsPatch) domain() tenancy.PlatformSettingsInput {
	out := tenancy.PlatformSettingsInput{SMTPHost: in.SMTPHost, SMTPPort: in.SMTPPort, SMTPUsername: in.SMTPUsername,
		SMTPPassword: in.SMTPPassword, SMTPEnvelopeFrom: in.SMTPEnvelopeFrom, SMTPFromName: in.SMTPFromName,
		SMTPFromAddress: in.SMTPFromAddress, SMTPHELOName: in.SMTPHELOName,
		EmailAttachmentLimit: in.EmailAttachmentLimit, RetentionMinDays: in.RetentionMinDays,
		RetentionMaxDays: in.RetentionMaxDays, RetentionDefaultDays: in.RetentionDefaultDays,
		AllowPrivateWebhookTargets: in.AllowPrivateWebhookTargets, EmailToFaxDomain: in.EmailToFaxDomain}
	if in.SMTPSecurity != nil {
		s := model.SMTPSecurity(*in.SMTPSecurity)
		out.SMTPSecurity = &s
	}
	return out
}

func (a *API) platformRoutes() []Route {
	rs := []Route{
		{Method: "GET", Path: Prefix + "/settings/platform", ID: "getPlatformSettings", Tag: "settings",
			Roles: adminOnly, Resp: PlatformSettings{}, handle: a.getPlatformSettings,
			Summary: "Platform settings: SMTP relay, email limits, retention bounds, webhook targets."},
		{Method: "PATCH", Path: Prefix + "/settings/platform", ID: "updatePlatformSettings", Tag: "settings",
			Roles: adminOnly, Body: PlatformSettingsPatch{}, Resp: PlatformSettings{}, handle: a.patchPlatformSettings,
			Summary: "Change platform settings; only the fields present change."},
	}
	if a.d.Mailer != nil {
		rs = append(rs, Route{Method: "POST", Path: Prefix + "/settings/platform/test-email", ID: "sendTestEmail",
			Tag: "settings", Roles: adminOnly, Body: TestEmail{}, Resp: TestEmailResult{}, handle: a.sendTestEmail,
			Summary: "Send a test email through the saved relay now; answers whether the relay took it."})
	}
	return rs
}

func (a *API) getPlatformSettings(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	p, err := a.d.Tenancy.GetPlatformSettings(r.Context(), actor)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, platformDTO(p))
	return nil
}

func (a *API) patchPlatformSettings(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in PlatformSettingsPatch
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	p, err := a.d.Tenancy.UpdatePlatformSettings(r.Context(), actor, in.domain())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, platformDTO(p))
	return nil
}

func (a *API) sendTestEmail(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in TestEmail
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	err := a.d.Mailer.SendTest(r.Context(), actor, in.To)
	if p := httpx.Classify(err); err != nil && !p.Internal() {
		return err // invalid address, not allowed, ...
	}
	res := TestEmailResult{Sent: err == nil}
	if err != nil {
		res.Error = err.Error() // the relay's answer, for the admin to fix the settings
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}
