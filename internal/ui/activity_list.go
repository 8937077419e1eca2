package ui

import (
	"context"
	"net/http"
	"strings"
	"time"

	"faxgate/internal/campaign"
	"faxgate/internal/faxin"
	"faxgate/internal/mail/senders"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// activityData is the data of Reports > System Activities.
type activityData struct {
	Events   eventTable
	Pager    pager
	Filter   *form
	Users    []option // nil for role user (they only see their own events)
	Actions  []option
	Tenants  []option // admins only
	Filtered bool
	// ExportURL downloads every matching event as CSV.
	ExportURL string
}

// activityList is the audit log with date range, user, action (and, for
// admins, tenant) filters.
func (h *Handler) activityList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	f, af := activityFilter(r, actor)
	d := activityData{Filter: f, Actions: actionOptions(), Filtered: r.URL.RawQuery != "",
		ExportURL: "/reports/activities/export"}
	if q := exportQuery(r); q != "" {
		d.ExportURL += "?" + q
	}
	var events []model.AuditEvent
	var next string
	if !f.HasErrors() {
		var err error
		events, next, err = h.audit.List(ctx, actor, af, listOptions(r))
		if err != nil && !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
	}
	var err error
	if d.Users, err = h.userOptions(ctx, actor, af.TenantID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Tenants, err = h.tenantOptions(ctx, actor, "All tenants"); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Events = h.newEventTable(ctx, actor, events)
	d.Pager = newPager(r, next)
	v := h.newView(w, r, "System Activities", "activities")
	v.Form, v.Data = f, d
	status := http.StatusOK
	if f.HasErrors() {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, status, "activities", v)
}

// activityFilter reads the filters; bad dates become field errors.
func activityFilter(r *http.Request, actor model.Actor) (*form, store.AuditFilter) {
	q := r.URL.Query()
	f := newForm()
	var af store.AuditFilter
	for _, k := range []string{"q", "from", "to", "user_id", "action", "tenant_id"} {
		f.Set(k, strings.TrimSpace(q.Get(k)))
	}
	af.From = parseDay(f, "from")
	if to := parseDay(f, "to"); !to.IsZero() {
		af.To = to.AddDate(0, 0, 1) // the whole "to" day
	}
	if !af.From.IsZero() && !af.To.IsZero() && !af.To.After(af.From) {
		f.Invalid("to", "must not be before the start date")
	}
	if model.ValidID(model.PrefixUser, f.Get("user_id")) {
		af.UserID = f.Get("user_id")
	}
	af.Action = f.Get("action")
	af.Query = f.Get("q")
	if actor.IsAdmin() && model.ValidID(model.PrefixTenant, f.Get("tenant_id")) {
		af.TenantID = f.Get("tenant_id")
	}
	return f, af
}

// parseDay parses a YYYY-MM-DD field as midnight UTC.
func parseDay(f *form, name string) time.Time {
	s := f.Get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		f.Invalid(name, "must be a date (YYYY-MM-DD)")
		return time.Time{}
	}
	return t
}

// userOptions lists the users whose events the actor may filter by; role
// user gets nil (they only see their own events).
func (h *Handler) userOptions(ctx context.Context, actor model.Actor, tenantID string) ([]option, error) {
	if actor.Role == model.RoleUser {
		return nil, nil
	}
	users, _, err := h.ten.ListUsers(ctx, actor, store.UserFilter{TenantID: tenantID}, model.ListOptions{Limit: 500})
	if err != nil {
		return nil, err
	}
	opts := []option{{"", "All users"}}
	for _, u := range users {
		label := u.Email
		if n := u.Name(); n != u.Email {
			label = n + " (" + u.Email + ")"
		}
		opts = append(opts, option{u.ID, label})
	}
	return opts, nil
}

// actionOptions are the action filters: whole areas first, then every
// single action of every capability (TestActionOptionsCoverEveryAction
// checks that each action the code records is offered).
func actionOptions() []option {
	return []option{
		{"", "All actions"},
		{"auth", "Logins, logouts and security (all)"},
		{"user", "User changes (all)"},
		{"api_key", "API keys (all)"},
		{"branding", "Branding changes"},
		{"settings", "Settings changes (all)"},
		{"tenant", "Tenant changes (all)"},
		{"document", "Fax documents (all)"},
		{"fax", "Faxes sent and received (all)"},
		{"did", "DIDs (all)"},
		{"cid", "Caller IDs (all)"},
		{"trunk", "Trunks (all)"},
		{"contact", "Contacts (all)"},
		{"group", "Contact groups and imports (all)"},
		{"dnc", "Do-not-contact list (all)"},
		{"campaign", "Campaigns (all)"},
		{"webhook", "Webhooks (all)"},
		{"email", "Email to fax (all)"},
		{"email_allowlist", "Email to fax senders (all)"},
		{"announcement", "Announcements (all)"},
		{model.ActionLoginSucceeded, "Login"},
		{model.ActionLoginFailed, "Failed login"},
		{model.ActionLogout, "Logout"},
		{model.ActionPasswordChanged, "Password changed"},
		{model.ActionTOTPEnabled, "Two-factor enabled"},
		{model.ActionTOTPDisabled, "Two-factor disabled"},
		{model.ActionUserCreated, "User created"},
		{model.ActionUserUpdated, "User updated"},
		{model.ActionUserRoleChanged, "User role changed"},
		{model.ActionUserPasswordSet, "User password reset"},
		{model.ActionUserDeleted, "User deleted"},
		{model.ActionAPIKeyCreated, "API key created"},
		{model.ActionAPIKeyRevoked, "API key revoked"},
		{model.ActionBrandingUpdated, "Branding updated"},
		{model.ActionSettingsUpdated, "Settings updated (fax, cover page, platform)"},
		{model.ActionChannelCapSet, "Tenant channel limit set"},
		{model.ActionTestEmailSent, "Test email sent"},
		{model.ActionTenantCreated, "Tenant created"},
		{model.ActionTenantUpdated, "Tenant updated"},
		{model.ActionDocumentCreated, "Document added"},
		{model.ActionDocumentUpdated, "Document changed"},
		{model.ActionDocumentDeleted, "Document deleted"},
		{model.ActionFaxSubmitted, "Fax sent (submitted)"},
		{model.ActionFaxCanceled, "Fax canceled"},
		{model.ActionFaxDeleted, "Received fax deleted"},
		{faxin.ActionFaxUnread, "Received fax marked unread"},
		{model.ActionFaxPurged, "Faxes purged (retention)"},
		{model.ActionFaxRefused, "Incoming fax refused"},
		{model.ActionDIDCreated, "DID added to the pool"},
		{model.ActionDIDAssigned, "DID assigned"},
		{model.ActionDIDReleased, "DID released"},
		{model.ActionDIDRouted, "DID forwarding changed"},
		{model.ActionDIDDeleted, "DID deleted"},
		{model.ActionCIDCreated, "Caller ID added"},
		{model.ActionCIDUpdated, "Caller ID changed"},
		{model.ActionCIDDeleted, "Caller ID deleted"},
		{model.ActionTrunkCreated, "Trunk added"},
		{model.ActionTrunkUpdated, "Trunk changed"},
		{model.ActionTrunkDeleted, "Trunk deleted"},
		{model.ActionContactCreated, "Contact added"},
		{model.ActionContactUpdated, "Contact changed"},
		{model.ActionContactDeleted, "Contact deleted"},
		{model.ActionGroupCreated, "Group added"},
		{model.ActionGroupUpdated, "Group changed"},
		{model.ActionGroupDeleted, "Group deleted"},
		{model.ActionGroupMembers, "Group members changed"},
		{model.ActionGroupImported, "Contacts imported"},
		{model.ActionDNCAdded, "Do-not-contact number added"},
		{model.ActionDNCRemoved, "Do-not-contact number removed"},
		{model.ActionDNCImported, "Do-not-contact numbers imported"},
		{campaign.ActionCampaignCreated, "Campaign created"},
		{campaign.ActionCampaignUpdated, "Campaign changed"},
		{campaign.ActionCampaignDeleted, "Campaign deleted"},
		{campaign.ActionCampaignStarted, "Campaign started"},
		{campaign.ActionCampaignPaused, "Campaign paused"},
		{campaign.ActionCampaignResumed, "Campaign resumed"},
		{campaign.ActionCampaignStopped, "Campaign stopped"},
		{campaign.ActionCampaignRetryFailed, "Campaign failed numbers retried"},
		{model.ActionWebhookCreated, "Webhook added"},
		{model.ActionWebhookUpdated, "Webhook changed"},
		{model.ActionWebhookDeleted, "Webhook deleted"},
		{model.ActionWebhookSecretRotated, "Webhook secret rotated"},
		{model.ActionWebhookSecretViewed, "Webhook secret viewed"},
		{model.ActionWebhookAutoDisabled, "Webhook disabled after failures"},
		{model.ActionWebhookRedelivered, "Webhook delivery sent again"},
		{"webhook.test_sent", "Webhook test sent"},
		{"email.accepted", "Email to fax accepted"},
		{"email.refused", "Email to fax refused"},
		{"email.sender_authorised", "Email sender authorised"},
		{"email.auth", "SMTP login"},
		{"email.auth_failed", "Failed SMTP login"},
		{senders.ActionAllowlistAdded, "Email sender allowed"},
		{senders.ActionAllowlistRemoved, "Email sender removed"},
		{model.ActionAnnouncementCreated, "Announcement posted"},
		{model.ActionAnnouncementUpdated, "Announcement changed"},
		{model.ActionAnnouncementDeleted, "Announcement removed"},
	}
}

// activityExport streams every event of the current filters as CSV.
func (h *Handler) activityExport(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	f, af := activityFilter(r, actor)
	if f.HasErrors() {
		h.failure(w, r, "The filters are not valid: fix them on the System Activities page, then export again.")
		redirect(w, r, "/reports/activities")
		return
	}
	setCSVDownload(w, "activities-"+h.now().UTC().Format("20060102")+".csv")
	if _, err := h.audit.WriteCSV(ctx, actor, af, h.zone(r), w); err != nil {
		h.log.Error("activities export failed", "err", err)
	}
}
