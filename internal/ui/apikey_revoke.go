package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// apiKeyRevokeConfirm asks before revoking one of the own API keys (htmx
// loads the box into the profile page; without JS it is a page of its
// own). A key that is not the actor's, or is revoked already, is 404.
func (h *Handler) apiKeyRevokeConfirm(w http.ResponseWriter, r *http.Request) {
	actor, id := actorOf(r), r.PathValue("id")
	if !model.ValidID(model.PrefixAPIKey, id) {
		h.notFoundPage(w, r)
		return
	}
	keys, err := h.auth.ListAPIKeys(r.Context(), actor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, k := range keys {
		if k.ID == id && !k.Revoked() {
			v := h.newView(w, r, "Revoke API key", "profile")
			v.Data = confirmData{Heading: "Revoke the key “" + k.Name + "”?",
				Text:   "Programs that use the key " + k.Prefix + "… stop working at once. A revoked key cannot be turned back on.",
				Action: "/profile/api-keys/" + k.ID + "/revoke", Button: "Revoke key", Back: "/profile#api-keys"}
			h.render(w, r, http.StatusOK, "confirm", v)
			return
		}
	}
	h.notFoundPage(w, r)
}

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
