package ui

import (
	"context"
	"net/http"
	"strings"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// didView is a DID as the My DIDs and DID pool pages show it.
type didView struct {
	model.DID
	Tenant string // tenant name (admins)
	User   string // the routed user's email
}

// ActionLabel is the DID's service in the product guide's words.
func (d didView) ActionLabel() string { return didActionLabel(d.Action) }

// Emails joins the forward addresses for display.
func (d didView) Emails() string { return strings.Join(d.ForwardEmails, ", ") }

// ForwardURL is the routing form (the "forward arrow").
func (d didView) ForwardURL() string { return "/dids/" + d.ID + "/forward" }

func didActionLabel(a model.DIDAction) string {
	switch a {
	case model.DIDEmail:
		return "Fax to email"
	case model.DIDReject:
		return "Reject calls"
	}
	return "Inbox only"
}

// didActionOptions are the routing form's services.
func didActionOptions() []option {
	return []option{{string(model.DIDEmail), didActionLabel(model.DIDEmail)},
		{string(model.DIDInbox), didActionLabel(model.DIDInbox)},
		{string(model.DIDReject), didActionLabel(model.DIDReject)}}
}

// loadDID reads the {id} DID the actor may see; it answers 404 itself
// (also for other tenants' DIDs) and returns false then.
func (h *Handler) loadDID(w http.ResponseWriter, r *http.Request) (model.DID, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixDID, id) {
		h.notFoundPage(w, r)
		return model.DID{}, false
	}
	d, err := h.inbox.GetDID(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return model.DID{}, false
	}
	return d, true
}

// userNamer returns a function naming users of the actor's view by email
// (cached per request); unknown or deleted users read "a deleted user".
func (h *Handler) userNamer(ctx context.Context, actor model.Actor) func(id string) string {
	cache := map[string]string{}
	return func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := cache[id]; ok {
			return n
		}
		n := "a deleted user"
		if u, err := h.ten.GetUser(ctx, actor, id); err == nil {
			n = u.Email
		}
		cache[id] = n
		return n
	}
}

// routeUserOptions lists the users of a tenant (at most 500) for the routing
// form's user choice.
func (h *Handler) routeUserOptions(ctx context.Context, actor model.Actor, tenantID string) ([]option, error) {
	users, _, err := h.ten.ListUsers(ctx, actor, store.UserFilter{TenantID: tenantID, Status: model.UserActive},
		model.ListOptions{Limit: 500})
	if err != nil {
		return nil, err
	}
	opts := []option{{"", "Nobody (tenant administrators only)"}}
	for _, u := range users {
		if u.TenantID != tenantID {
			continue
		}
		opts = append(opts, option{u.ID, u.Email})
	}
	return opts, nil
}
