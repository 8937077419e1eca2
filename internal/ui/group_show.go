package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// findLimit is how many contacts the add-member search offers.
const findLimit = 10

// groupShowData is the data of a group's page.
type groupShowData struct {
	Group    groupView
	Members  []contactView
	Pager    pager
	Filter   *form
	Filtered bool
	Find     string        // the add-member search
	Found    []contactView // its results
	Searched bool
}

// groupShow is a group's page: its members (searchable, paginated) with
// remove buttons, a search to add contacts, and the import, export, edit
// and delete actions.
func (h *Handler) groupShow(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r)
	if !ok {
		return
	}
	actor, ctx := actorOf(r), r.Context()
	filter, cf := contactFilter(r)
	members, next, err := h.camp.ListMembers(ctx, actor, g.ID, cf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := groupShowData{Group: groupView{Group: g}, Members: h.contactViews(r, members), Filter: filter,
		Filtered: cf.Query != "", Pager: newPager(r, next)}
	if d.Find = strings.TrimSpace(r.URL.Query().Get("find")); d.Find != "" {
		d.Find, d.Searched = clip(d.Find, 200), true
		found, _, err := h.camp.ListContacts(ctx, actor, store.ContactFilter{Query: d.Find, Sort: store.SortName},
			model.ListOptions{Limit: findLimit})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, c := range h.contactViews(r, found) {
			if c.TenantID == g.TenantID {
				d.Found = append(d.Found, c)
			}
		}
	}
	v := h.newView(w, r, g.Name, "groups")
	v.Data = d
	h.render(w, r, http.StatusOK, "group_show", v)
}
