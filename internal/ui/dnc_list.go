package ui

import (
	"net/http"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// dncView is a do-not-contact entry as the list shows it.
type dncView struct {
	model.DNCEntry
	Tenant string
}

// dncListData is the data of the Contact DNC page and the admins' global
// list.
type dncListData struct {
	Rows       []dncView
	Pager      pager
	Filter     *form
	Filtered   bool
	Global     bool     // the platform-wide list (admins)
	AllTenants bool     // admins on /dnc: every tenant's entries
	Tenants    []option // admins adding to a tenant's list
	CanRemove  bool
	Base       string // /dnc or /admin/dnc
	Import     *form  // the import form's values and errors
}

// dncBase is the page of the list the request is about.
func dncBase(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/admin/") {
		return "/admin/dnc"
	}
	return "/dnc"
}

// dncList is Contact DNC: the tenant's do-not-contact list with the add
// and import forms (admins: every tenant's entries here, the global list
// at /admin/dnc).
func (h *Handler) dncList(w http.ResponseWriter, r *http.Request) {
	h.renderDNC(w, r, http.StatusOK, newForm(), newForm())
}

// renderDNC shows the list with the add form (f) and import form (imp).
func (h *Handler) renderDNC(w http.ResponseWriter, r *http.Request, status int, f, imp *form) {
	actor, ctx := actorOf(r), r.Context()
	d := dncListData{Filter: newForm(), Base: dncBase(r), Import: imp, CanRemove: actor.Role != model.RoleUser}
	d.Global = d.Base == "/admin/dnc"
	d.AllTenants = actor.IsAdmin() && !d.Global
	q := clip(strings.TrimSpace(r.URL.Query().Get("q")), 200)
	d.Filter.Set("q", q)
	d.Filtered = q != ""
	rows, next, err := h.camp.ListDNC(ctx, actor, store.DNCFilter{Query: q, Global: d.Global}, listOptions(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Pager = newPager(r, next)
	names := h.tenantNamer(ctx, actor)
	for _, e := range rows {
		d.Rows = append(d.Rows, dncView{DNCEntry: e, Tenant: names(e.TenantID)})
	}
	if d.AllTenants {
		if d.Tenants, err = h.tenantOptions(ctx, actor, "Choose a tenant"); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	title, active := "Contact DNC", "dnc"
	if d.Global {
		title, active = "Global DNC", "global-dnc"
	}
	v := h.newView(w, r, title, active)
	v.Form = f
	v.Data = d
	h.render(w, r, status, "dnc", v)
}
