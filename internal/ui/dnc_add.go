package ui

import (
	"net/http"

	"faxgate/internal/campaign"
)

// dncAdd puts a number on the list of the page (the tenant's, or the
// global one on /admin/dnc) with an optional note.
func (h *Handler) dncAdd(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "number", "note", "tenant_id")
	base := dncBase(r)
	d, err := h.camp.AddDNC(r.Context(), actorOf(r), campaign.DNCInput{TenantID: f.Get("tenant_id"),
		Global: base == "/admin/dnc", Number: f.Get("number"), Note: f.Get("note")})
	if err != nil {
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		h.renderDNC(w, r, statusFor(err), f, newForm())
		return
	}
	h.success(w, r, d.Number+" is on the do-not-contact list: faxes to it will be refused.")
	redirect(w, r, base)
}
