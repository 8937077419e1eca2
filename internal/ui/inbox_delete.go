package ui

import "net/http"

// inboxDelete removes a received fax from the inbox with its pages; the
// call record stays for reports.
func (h *Handler) inboxDelete(w http.ResponseWriter, r *http.Request) {
	f, ok := h.loadInbound(w, r)
	if !ok {
		return
	}
	fv := inboxView{InboundFax: f}
	err := h.inbox.Delete(r.Context(), actorOf(r), f.ID)
	switch {
	case err == nil:
		h.success(w, r, "Fax from "+fv.From()+" deleted.")
		redirect(w, r, "/inbox")
	case refusal(err):
		h.failure(w, r, sentence(err.Error()))
		redirect(w, r, fv.URL())
	default:
		h.fail(w, r, err)
	}
}
