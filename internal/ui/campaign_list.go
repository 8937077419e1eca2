package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/campaign"
)

// campaignListData is the data of Send Bulk Fax.
type campaignListData struct {
	Rows       []campaignView
	Pager      pager
	Filter     *form
	Statuses   []option
	AllTenants bool
	Filtered   bool
	Polling    bool   // a campaign is running: the list refreshes itself
	Self       string // the list's URL, polled while running
}

// campaignList is Send Bulk Fax: the campaigns newest first with their
// status and a progress bar; search by title, filter by status.
func (h *Handler) campaignList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	f := newForm()
	var lf campaign.ListFilter
	lf.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	f.Set("q", lf.Query)
	if st := campaign.Status(r.URL.Query().Get("status")); st.Valid() {
		lf.Status = st
		f.Set("status", string(st))
	}
	cs, next, err := h.camp.ListCampaigns(ctx, actor, lf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := campaignListData{Filter: f, AllTenants: actor.IsAdmin(), Filtered: lf.Status != "" || lf.Query != "",
		Pager: newPager(r, next), Self: r.URL.RequestURI(),
		Statuses: []option{{"", "Any status"}, {"draft", "Draft"}, {"running", "Running"}, {"paused", "Paused"},
			{"completed", "Completed"}, {"stopped", "Stopped"}}}
	names := h.tenantNamer(ctx, actor)
	for _, c := range cs {
		v := campaignView{Campaign: c, Tenant: names(c.TenantID)}
		d.Rows = append(d.Rows, v)
		d.Polling = d.Polling || v.Live()
	}
	v := h.newView(w, r, "Send Bulk Fax", "campaigns")
	v.Data = d
	h.render(w, r, http.StatusOK, "campaigns", v)
}
