package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// apiKeyRevoke revokes one of the own API keys.
func (h *Handler) apiKeyRevoke(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixAPIKey, id) {
		h.notFoundPage(w, r)
		return
	}
	if err := h.auth.RevokeAPIKey(r.Context(), actorOf(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "API key revoked: it no longer works.")
	redirect(w, r, "/profile#api-keys")
}
