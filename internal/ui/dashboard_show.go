package ui

import (
	"net/http"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// dashboardData holds the counts that exist so far and the latest events.
type dashboardData struct {
	Users   int
	Tenants int // admins only
	Recent  eventTable
}

// dashboardShow is the landing page after login.
func (h *Handler) dashboardShow(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	ctx := r.Context()
	var d dashboardData
	var err error
	if actor.Role != model.RoleUser {
		if d.Users, err = h.ten.CountUsers(ctx, actor); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if actor.IsAdmin() {
		if d.Tenants, err = h.ten.CountTenants(ctx, actor); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	events, _, err := h.audit.List(ctx, actor, store.AuditFilter{}, model.ListOptions{Limit: 5})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Recent = h.newEventTable(ctx, actor, events)
	v := h.newView(w, r, "Dashboard", "dashboard")
	v.Data = d
	h.render(w, r, http.StatusOK, "dashboard", v)
}
