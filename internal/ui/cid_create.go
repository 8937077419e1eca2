package ui

import (
	"net/http"

	"faxgate/internal/faxout"
)

// cidCreate adds a number to the caller-ID pool, optionally assigned to a
// tenant at once.
func (h *Handler) cidCreate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "number", "label", "tenant_id")
	c, err := h.fax.CreateCID(r.Context(), actorOf(r), faxout.CIDInput{Number: f.Get("number"),
		Label: f.Get("label"), TenantID: f.Get("tenant_id")})
	if err != nil {
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		h.renderCIDPool(w, r, statusFor(err), f)
		return
	}
	h.success(w, r, "Caller ID "+c.Number+" added to the pool.")
	redirect(w, r, "/admin/cids")
}
