package ui

import "net/http"

// inboxUnread marks a received fax unread again (it shows in bold in the
// list until opened) and goes back to the list.
func (h *Handler) inboxUnread(w http.ResponseWriter, r *http.Request) {
	f, ok := h.loadInbound(w, r)
	if !ok {
		return
	}
	if err := h.inbox.MarkRead(r.Context(), actorOf(r), f.ID, false); err != nil {
		h.fail(w, r, err)
		return
	}
	h.success(w, r, "Fax from "+inboxView{InboundFax: f}.From()+" marked unread.")
	redirect(w, r, "/inbox")
}
