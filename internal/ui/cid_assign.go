package ui

import (
	"net/http"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
)

// cidAssign assigns a pool number to a tenant, or unassigns it (empty
// tenant). Faxes already sent keep the number they showed.
func (h *Handler) cidAssign(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCID(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	actor := actorOf(r)
	tenantID := r.PostFormValue("tenant_id")
	_, err := h.fax.UpdateCID(r.Context(), actor, c.ID, faxout.CIDPatch{TenantID: &tenantID})
	switch {
	case err == nil && tenantID == "":
		h.success(w, r, "Caller ID "+c.Number+" is no longer assigned.")
	case err == nil:
		h.success(w, r, "Caller ID "+c.Number+" assigned to "+h.tenantNamer(r.Context(), actor)(tenantID)+".")
	case refusal(err):
		h.failure(w, r, "Caller ID "+c.Number+" not changed: "+errorText(err))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/cids")
}

// loadCID reads the {id} pool entry; 404 when missing.
func (h *Handler) loadCID(w http.ResponseWriter, r *http.Request) (model.CallerID, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixCallerID, id) {
		h.notFoundPage(w, r)
		return model.CallerID{}, false
	}
	c, err := h.fax.GetCID(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return model.CallerID{}, false
	}
	return c, true
}
