package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// contactListData is the data of the contact list.
type contactListData struct {
	Rows       []contactView
	Pager      pager
	Filter     *form
	Sorts      []option
	AllTenants bool
	Filtered   bool
}

func contactSortOptions() []option {
	return []option{{string(store.SortCreated), "Newest first"}, {string(store.SortName), "Name (A–Z)"}}
}

// contactList is Contacts: the tenant's address book (admins: every
// tenant's), searchable by name, fax, email or company, newest first or
// by name.
func (h *Handler) contactList(w http.ResponseWriter, r *http.Request) {
	actor, ctx := actorOf(r), r.Context()
	filter, cf := contactFilter(r)
	rows, next, err := h.camp.ListContacts(ctx, actor, cf, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := contactListData{Filter: filter, Sorts: contactSortOptions(), AllTenants: actor.IsAdmin(),
		Filtered: cf.Query != "", Pager: newPager(r, next), Rows: h.contactViews(r, rows)}
	v := h.newView(w, r, "Contacts", "contacts")
	v.Data = d
	h.render(w, r, http.StatusOK, "contacts", v)
}

// contactViews prepares contacts for a list (tenant names for admins).
func (h *Handler) contactViews(r *http.Request, cs []model.Contact) []contactView {
	names := h.tenantNamer(r.Context(), actorOf(r))
	out := make([]contactView, len(cs))
	for i, c := range cs {
		out[i] = contactView{Contact: c, Tenant: names(c.TenantID)}
	}
	return out
}

// contactFilter reads the search and sort of a contact list; unknown
// values are ignored.
func contactFilter(r *http.Request) (*form, store.ContactFilter) {
	q := r.URL.Query()
	f := newForm()
	var cf store.ContactFilter
	cf.Query = strings.TrimSpace(q.Get("q"))
	if len(cf.Query) > 200 {
		cf.Query = cf.Query[:200]
	}
	f.Set("q", cf.Query)
	if s := store.ContactSort(q.Get("sort")); s == store.SortName {
		cf.Sort = s
	}
	f.Set("sort", string(cf.Sort))
	return f, cf
}
