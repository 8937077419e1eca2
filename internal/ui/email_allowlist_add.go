package ui

import (
	"net/http"

	"faxgate/internal/mail/senders"
)

// emailAllowlistAdd adds an address, domain or network to the allowlist.
func (h *Handler) emailAllowlistAdd(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "value", "user_id", "note")
	e, err := h.senders.Add(r.Context(), actorOf(r), "", senders.Input{Value: f.Get("value"),
		UserID: f.Get("user_id"), Note: f.Get("note")})
	if err != nil {
		if !f.absorb(err) {
			h.fail(w, r, err)
			return
		}
		h.renderEmailAllowlist(w, r, statusFor(err), f)
		return
	}
	h.success(w, r, "Added "+string(e.Kind)+" "+e.Value+": its faxes are sent as "+e.UserEmail+".")
	redirect(w, r, "/settings/email-allowlist")
}
