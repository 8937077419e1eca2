package ui

import (
	"net/http"

	"faxgate/internal/faxin"
	"faxgate/internal/model"
)

// inboxShowData is the data of a received fax's page.
type inboxShowData struct {
	Fax   inboxView
	Pages []inboxPageLink
	DID   string       // the DID's label, when it has one
	Call  *attemptView // the reception's call record, once stored
}

// inboxPageLink is a page thumbnail linking to the full page image.
type inboxPageLink struct {
	Number   int
	ThumbURL string
	Href     string
}

// inboxShow is a received fax: its facts, its pages (thumbnails opening
// the full page), downloads, mark unread and delete. Opening it marks it
// read for the tenant.
func (h *Handler) inboxShow(w http.ResponseWriter, r *http.Request) {
	f, ok := h.loadInbound(w, r)
	if !ok {
		return
	}
	actor, ctx := actorOf(r), r.Context()
	// A platform admin looking in does not make the tenant's fax read.
	if !f.Read() && f.Status != model.FaxReceiving && !actor.IsAdmin() {
		if err := h.inbox.MarkRead(ctx, actor, f.ID, true); err != nil {
			h.fail(w, r, err)
			return
		}
		f.ReadAt = h.now()
	}
	fv := inboxView{InboundFax: f}
	if actor.IsAdmin() {
		fv.Tenant = h.tenantNamer(ctx, actor)(f.TenantID)
	}
	d := inboxShowData{Fax: fv}
	if len(f.Attempts) > 0 {
		d.Call = &attemptView{f.Attempts[len(f.Attempts)-1]}
	}
	if fv.HasPages() {
		for n := 1; n <= f.Pages; n++ {
			d.Pages = append(d.Pages, inboxPageLink{Number: n, ThumbURL: fv.imageURL(n, faxin.Thumbnail),
				Href: fv.imageURL(n, faxin.Preview)})
		}
	}
	if did, err := h.inbox.GetDID(ctx, actor, f.DIDID); err == nil {
		d.DID = did.Label
	}
	v := h.newView(w, r, "Fax from "+fv.From(), "inbox")
	v.Data = d
	h.render(w, r, http.StatusOK, "inbox_show", v)
}
