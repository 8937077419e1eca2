package ui

import "net/http"

// emailAllowlistDeleteConfirm asks before removing an entry.
func (h *Handler) emailAllowlistDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadAllowlistEntry(w, r)
	if !ok {
		return
	}
	v := h.newView(w, r, "Remove allowlist entry", "email-allowlist")
	v.Data = e
	h.render(w, r, http.StatusOK, "email_allowlist_delete", v)
}

// emailAllowlistDelete removes an entry: the sender must log in again.
func (h *Handler) emailAllowlistDelete(w http.ResponseWriter, r *http.Request) {
	e, ok := h.loadAllowlistEntry(w, r)
	if !ok {
		return
	}
	if err := h.senders.Remove(r.Context(), actorOf(r), "", e.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Removed "+e.Value+" from the email allowlist.")
	redirect(w, r, "/settings/email-allowlist")
}
