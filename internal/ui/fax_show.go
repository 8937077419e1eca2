package ui

import (
	"net/http"

	"faxgate/internal/model"
)

// faxShowData is the data of a fax's page.
type faxShowData struct {
	Fax       faxView
	Attempts  []attemptView
	Events    []model.FaxEvent
	Document  string // the document's name, "" when it is gone
	DocURL    string
	Sender    string
	ReportURL string // "" while the transmission report is not available
	Back      string
}

// faxShow is a fax's page: status and outcome in words, the attempts
// (trunk, transport, times, pages, result, cause) and the event history,
// downloads of the sent pages and cancel while the fax is not final. The
// state part refreshes itself until the fax is final.
func (h *Handler) faxShow(w http.ResponseWriter, r *http.Request) {
	f, ok := h.loadFax(w, r)
	if !ok {
		return
	}
	actor, ctx := actorOf(r), r.Context()
	events, err := h.fax.Timeline(ctx, actor, f.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := faxShowData{Fax: faxView{Fax: f}, Events: events, Back: outboundHome(actor, f.TenantID),
		Sender: h.faxSender(r, f), ReportURL: reportURL(f)}
	if actor.IsAdmin() {
		d.Fax.Tenant = h.tenantNamer(ctx, actor)(f.TenantID)
	}
	for _, a := range f.Attempts {
		d.Attempts = append(d.Attempts, attemptView{a})
	}
	if h.docs != nil {
		if doc, err := h.docs.Get(ctx, actor, f.DocumentID); err == nil {
			d.Document, d.DocURL = doc.Name, "/documents/"+doc.ID
		}
	}
	v := h.newView(w, r, d.Fax.DisplayTitle(), "outbound")
	v.Data = d
	h.render(w, r, http.StatusOK, "fax_show", v)
}

// faxSender names who sent f, as far as the actor may know.
func (h *Handler) faxSender(r *http.Request, f model.Fax) string {
	actor := actorOf(r)
	switch {
	case f.UserID == "":
		return "a user who was deleted since"
	case f.UserID == actor.UserID:
		return "you"
	}
	if u, err := h.ten.GetUser(r.Context(), actor, f.UserID); err == nil {
		return u.Email
	}
	return "another user of the tenant"
}
