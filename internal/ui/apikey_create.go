package ui

import "net/http"

// apiKeyCreate makes an API key and shows the raw key once, on the page
// answering the POST (never stored, never redirected through a cookie).
func (h *Handler) apiKeyCreate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "name")
	k, raw, err := h.auth.CreateAPIKey(r.Context(), actorOf(r), f.Get("name"))
	if err != nil {
		if f.absorb(err) {
			h.renderProfile(w, r, statusFor(err), profileData{Key: f})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.renderProfile(w, r, http.StatusOK, profileData{NewKey: &newKey{Name: k.Name, Raw: raw}})
}
