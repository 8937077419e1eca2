package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/model"
)

// didForwardData is the data of the routing form ("Forward DID").
type didForwardData struct {
	DID     didView
	Actions []option
	Users   []option
}

// didForward is the routing form of a DID, opened with the forward arrow
// of My DIDs: the service (fax to email, inbox only, reject), the email
// addresses, the user who sees its faxes, a webhook URL and a station id.
func (h *Handler) didForward(w http.ResponseWriter, r *http.Request) {
	d, ok := h.loadDID(w, r)
	if !ok {
		return
	}
	h.renderDIDForward(w, r, http.StatusOK, didRoutingForm(d), d)
}

func (h *Handler) renderDIDForward(w http.ResponseWriter, r *http.Request, status int, f *form, d model.DID) {
	actor, ctx := actorOf(r), r.Context()
	if !d.Assigned() {
		h.notFoundPage(w, r)
		return
	}
	users, err := h.routeUserOptions(ctx, actor, d.TenantID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, "Forward DID "+d.Number, "dids")
	v.Form = f
	v.Data = didForwardData{DID: didView{DID: d, Tenant: h.tenantNamer(ctx, actor)(d.TenantID)},
		Actions: didActionOptions(), Users: users}
	h.render(w, r, status, "did_forward", v)
}

// didRoutingForm is the routing form filled with d (one address a line).
func didRoutingForm(d model.DID) *form {
	f := newForm()
	f.Set("action", string(d.Action))
	f.Set("forward_emails", strings.Join(d.ForwardEmails, "\n"))
	f.Set("user_id", d.UserID)
	f.Set("webhook_url", d.WebhookURL)
	f.Set("station_id", d.StationID)
	return f
}
