package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/faxin"
	"faxgate/internal/model"
)

// maxEmailsField bounds the addresses field before it is split.
const maxEmailsField = 4000

// didForwardSubmit saves a DID's routing and goes back to My DIDs, or,
// when the save gave the DID a webhook signing secret, shows it once.
func (h *Handler) didForwardSubmit(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDID(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := formFrom(r, "action", "forward_emails", "user_id", "webhook_url", "station_id")
	if len(f.Get("forward_emails")) > maxEmailsField {
		f.Invalid("forward_emails", "is too long")
		h.renderDIDForward(w, r, http.StatusUnprocessableEntity, f, d)
		return
	}
	action, emails := model.DIDAction(f.Get("action")), splitEmails(f.Get("forward_emails"))
	userID, hook, station := f.Get("user_id"), f.Get("webhook_url"), f.Get("station_id")
	in := faxin.RoutingInput{Action: &action, ForwardEmails: &emails, UserID: &userID, WebhookURL: &hook,
		StationID: &station}
	routed, err := h.inbox.UpdateRouting(r.Context(), actorOf(r), d.ID, in)
	if err != nil {
		if f.absorb(err) {
			h.renderDIDForward(w, r, statusFor(err), f, d)
			return
		}
		h.fail(w, r, err)
		return
	}
	if routed.WebhookSecret != "" && routed.WebhookSecret != d.WebhookSecret {
		// This save set the DID's first webhook URL: its signing secret is
		// shown now, on this answer only.
		h.renderDIDSecret(w, r, routed, false)
		return
	}
	h.success(w, r, "DID "+routed.Number+": "+strings.ToLower(didActionLabel(routed.Action))+" saved.")
	redirect(w, r, "/dids")
}

// splitEmails reads addresses separated by new lines, commas or
// semicolons.
func splitEmails(s string) []string {
	out := []string{}
	for _, e := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' }) {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
