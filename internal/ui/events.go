package ui

import (
	"context"

	"faxgate/internal/model"
)

// eventTable is the data of the "events" template: audit lines with the
// tenant's name resolved for admins.
type eventTable struct {
	Rows       []eventRow
	ShowTenant bool
}

type eventRow struct {
	model.AuditEvent
	Tenant string
}

// newEventTable prepares audit events for display.
func (h *Handler) newEventTable(ctx context.Context, actor model.Actor, events []model.AuditEvent) eventTable {
	t := eventTable{ShowTenant: actor.IsAdmin()}
	names := h.tenantNamer(ctx, actor)
	for _, e := range events {
		t.Rows = append(t.Rows, eventRow{AuditEvent: e, Tenant: names(e.TenantID)})
	}
	return t
}

// tenantNamer returns a cached lookup from tenant id to name for one
// request ("" for platform-level, the id itself when the tenant is gone).
func (h *Handler) tenantNamer(ctx context.Context, actor model.Actor) func(id string) string {
	cache := map[string]string{}
	return func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := cache[id]; ok {
			return n
		}
		n := id
		if t, err := h.ten.GetTenant(ctx, actor, id); err == nil {
			n = t.Name
		}
		cache[id] = n
		return n
	}
}
