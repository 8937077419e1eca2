package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// trunkCreate adds a trunk.
func (h *Handler) trunkCreate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := trunkFormFrom(r)
	in := trunkInput(f)
	if f.HasErrors() {
		h.renderTrunkForm(w, r, http.StatusUnprocessableEntity, f, model.Trunk{})
		return
	}
	t, err := h.fax.CreateTrunk(r.Context(), actorOf(r), in)
	if err != nil {
		h.trunkFormFailed(w, r, f, model.Trunk{}, err)
		return
	}
	h.success(w, r, "Trunk "+t.Name+" added.")
	redirect(w, r, "/admin/trunks")
}

// trunkFormFailed shows the form again with the service's field errors.
func (h *Handler) trunkFormFailed(w http.ResponseWriter, r *http.Request, f *form, t model.Trunk, err error) {
	if !f.absorb(err) {
		h.fail(w, r, err)
		return
	}
	f.Set("password", "")
	h.renderTrunkForm(w, r, statusFor(err), f, t)
}
