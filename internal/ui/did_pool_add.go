package ui

import (
	"net/http"

	"faxgate/internal/faxin"
)

// didPoolAdd adds one number to the pool, assigned at once when a tenant
// is chosen.
func (h *Handler) didPoolAdd(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "number", "label", "tenant_id")
	d, err := h.inbox.AddDID(r.Context(), actorOf(r), faxin.DIDInput{Number: f.Get("number"), Label: f.Get("label"),
		TenantID: f.Get("tenant_id")})
	if err != nil {
		if f.absorb(err) {
			h.renderDIDPool(w, r, statusFor(err), didPoolData{Add: f, Range: newForm(), Import: newForm()})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "DID "+d.Number+" added to the pool.")
	redirect(w, r, "/admin/dids")
}
