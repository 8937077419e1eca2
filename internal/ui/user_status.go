package ui

import (
	"net/http"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// userStatus disables or re-enables a user.
func (h *Handler) userStatus(w http.ResponseWriter, r *http.Request) {
	u, ok := h.loadUser(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	actor := actorOf(r)
	back := safeNext(r.PostFormValue("back"))
	if back == "/" {
		back = usersHome(actor, u.TenantID)
	}
	st := model.UserStatus(r.PostFormValue("status"))
	if !st.Valid() {
		h.errorPage(w, r, http.StatusBadRequest)
		return
	}
	_, err := h.ten.UpdateUser(r.Context(), actor, u.ID, tenancy.UserPatch{Status: &st})
	switch {
	case err == nil && st == model.UserDisabled:
		h.success(w, r, "User "+u.Email+" disabled: they can no longer log in or use the API.")
	case err == nil:
		h.success(w, r, "User "+u.Email+" enabled.")
	case refusal(err):
		h.failure(w, r, sentence(err.Error()))
	default:
		h.fail(w, r, err)
		return
	}
	redirect(w, r, back)
}
