package ui

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"faxgate/internal/mail/senders"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// emailRoutes are Configuration > Email to Fax: the tenant's allowlist of
// senders that may email faxes without SMTP AUTH.
func (h *Handler) emailRoutes() []route {
	if h.senders == nil {
		return nil
	}
	return []route{
		{"GET /settings/email-allowlist", tenantAdmin, h.emailAllowlist},
		{"POST /settings/email-allowlist", tenantAdmin, h.emailAllowlistAdd},
		{"GET /settings/email-allowlist/{id}/delete", tenantAdmin, h.emailAllowlistDeleteConfirm},
		{"POST /settings/email-allowlist/{id}/delete", tenantAdmin, h.emailAllowlistDelete},
	}
}

// emailAllowlistData is the page: the entries and the add form's user
// choice.
type emailAllowlistData struct {
	Rows  []senders.Entry
	Users []option
	Max   int
	Query string // the search: rows whose sender, note or user contain it
	Total int    // entries before the search
}

// emailAllowlist shows the allowlist with an empty add form.
func (h *Handler) emailAllowlist(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Values["user_id"] = actorOf(r).UserID
	h.renderEmailAllowlist(w, r, http.StatusOK, f)
}

// renderEmailAllowlist shows the page with the add form's values and errors.
func (h *Handler) renderEmailAllowlist(w http.ResponseWriter, r *http.Request, status int, add *form) {
	actor, ctx := actorOf(r), r.Context()
	rows, err := h.senders.List(ctx, actor, "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The list is bounded (senders.MaxEntries) and on one page: the search
	// narrows it here.
	total, q := len(rows), strings.TrimSpace(r.URL.Query().Get("q"))
	if q != "" {
		lq := strings.ToLower(q)
		rows = slices.DeleteFunc(rows, func(e senders.Entry) bool {
			return !strings.Contains(strings.ToLower(e.Value+"\x00"+e.Note+"\x00"+e.UserEmail), lq)
		})
	}
	users, err := h.emailUserOptions(ctx, actor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, "Email to Fax", "email-allowlist")
	v.Form = add
	v.Data = emailAllowlistData{Rows: rows, Users: users, Max: senders.MaxEntries, Query: q, Total: total}
	h.render(w, r, status, "email_allowlist", v)
}

// emailUserOptions are the active users of the actor's tenant, the
// "send as" choice.
func (h *Handler) emailUserOptions(ctx context.Context, actor model.Actor) ([]option, error) {
	users, _, err := h.ten.ListUsers(ctx, actor, store.UserFilter{TenantID: actor.TenantID, Status: model.UserActive},
		model.ListOptions{Limit: 500})
	if err != nil {
		return nil, err
	}
	var opts []option
	for _, u := range users {
		opts = append(opts, option{u.ID, u.Email})
	}
	return opts, nil
}

// loadAllowlistEntry finds the entry of the path in the actor's tenant
// (another tenant's reads as not found).
func (h *Handler) loadAllowlistEntry(w http.ResponseWriter, r *http.Request) (senders.Entry, bool) {
	id := r.PathValue("id")
	if model.ValidID(senders.PrefixEntry, id) {
		rows, err := h.senders.List(r.Context(), actorOf(r), "")
		if err != nil {
			h.fail(w, r, err)
			return senders.Entry{}, false
		}
		for _, e := range rows {
			if e.ID == id {
				return e, true
			}
		}
	}
	h.notFoundPage(w, r)
	return senders.Entry{}, false
}
