package ui

import (
	"net/http"
	"net/url"
	"strings"

	"faxgate/internal/campaign"
)

// campaignShowData is the data of a campaign's page.
type campaignShowData struct {
	C        campaignView
	Doc      string // document name
	Group    string // group name
	Rows     []recipientView
	Pager    pager
	Filter   *form
	States   []option
	Self     string
	Filtered bool
	// ExportURL downloads the recipients of the current filters as CSV.
	ExportURL string
}

// campaignShow is a campaign's page: settings, live progress (htmx polls
// the page while it runs), the lifecycle buttons and the recipients
// (filterable by state, paged, exportable as CSV).
func (h *Handler) campaignShow(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCampaign(w, r)
	if !ok {
		return
	}
	actor, ctx := actorOf(r), r.Context()
	f := newForm()
	var rf campaign.RecipientFilter
	if st := campaign.RecipientState(r.URL.Query().Get("state")); st.Valid() {
		rf.State = st
		f.Set("state", string(st))
	}
	if q := strings.TrimSpace(r.URL.Query().Get("q")); q != "" && len(q) <= 100 {
		rf.Query = q
		f.Set("q", q)
	}
	rows, next, err := h.camp.ListRecipients(ctx, actor, c.ID, rf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := campaignShowData{C: campaignView{Campaign: c, Tenant: h.tenantNamer(ctx, actor)(c.TenantID)},
		Pager: newPager(r, next), Filter: f, Self: r.URL.RequestURI(), Filtered: rf.State != "" || rf.Query != "",
		States: []option{{"", "Every state"}, {"pending", "Pending"}, {"in_progress", "In progress"},
			{"delivered", "Delivered"}, {"failed", "Failed"}, {"skipped", "Skipped"}, {"canceled", "Canceled"}}}
	d.ExportURL = d.C.CSVURL()
	for _, kv := range [][2]string{{"state", string(rf.State)}, {"q", rf.Query}} {
		if kv[1] != "" {
			d.ExportURL += "&" + kv[0] + "=" + url.QueryEscape(kv[1])
		}
	}
	for _, rec := range rows {
		d.Rows = append(d.Rows, recipientView{rec})
	}
	d.Doc, d.Group = c.DocumentID, c.GroupID
	if doc, err := h.docs.Get(ctx, actor, c.DocumentID); err == nil {
		d.Doc = doc.Name
	}
	if g, err := h.camp.GetGroup(ctx, actor, c.GroupID); err == nil {
		d.Group = g.Name
	}
	v := h.newView(w, r, c.Title, "campaigns")
	v.Data = d
	h.render(w, r, http.StatusOK, "campaign_show", v)
}

// recipientView is a recipient row.
type recipientView struct{ campaign.Recipient }

// BadgeClass colours the state.
func (r recipientView) BadgeClass() string {
	switch r.State {
	case campaign.RecipientDelivered:
		return "badge-ready"
	case campaign.RecipientFailed:
		return "badge-failed"
	case campaign.RecipientSubmitting, campaign.RecipientInProgress:
		return "badge-processing"
	}
	return "badge-off"
}
