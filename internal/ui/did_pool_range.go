package ui

import "net/http"

// didPoolRange adds every number of a range (at most 10,000).
func (h *Handler) didPoolRange(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "from", "to", "label", "tenant_id")
	res, err := h.inbox.AddDIDRange(r.Context(), actorOf(r), f.Get("from"), f.Get("to"), f.Get("tenant_id"), f.Get("label"))
	if err != nil {
		if f.absorb(err) {
			h.renderDIDPool(w, r, statusFor(err), didPoolData{Add: newForm(), Range: f, Import: newForm()})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.importSummary(w, r, "Range", res)
	redirect(w, r, "/admin/dids")
}
