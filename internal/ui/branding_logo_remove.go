package ui

import (
	"net/http"
	"net/url"
)

// brandingLogoRemoveConfirm asks before deleting the tenant's logo.
func (h *Handler) brandingLogoRemoveConfirm(w http.ResponseWriter, r *http.Request) {
	tid, ok := h.brandingTenant(w, r, r.URL.Query().Get("tenant_id"))
	if !ok {
		return
	}
	action := "/admin/branding/logo/remove"
	if actorOf(r).IsAdmin() {
		action += "?tenant_id=" + url.QueryEscape(tid)
	}
	v := h.newView(w, r, "Remove logo", "branding")
	v.Data = confirmData{Heading: "Remove the logo?",
		Text:   "The portal and the login page show the company name instead. The file is deleted; upload it again to bring it back.",
		Action: action, Button: "Remove logo", Back: brandingURL(tid)}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// brandingLogoRemove deletes the tenant's logo.
func (h *Handler) brandingLogoRemove(w http.ResponseWriter, r *http.Request) {
	tid, ok := h.brandingTenant(w, r, r.URL.Query().Get("tenant_id"))
	if !ok {
		return
	}
	if err := h.ten.RemoveLogo(r.Context(), actorOf(r), tid); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Logo removed.")
	redirect(w, r, brandingURL(tid))
}
