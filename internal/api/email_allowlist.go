package api

import (
	"net/http"
	"time"

	"faxgate/internal/httpx"
	"faxgate/internal/mail/senders"
	"faxgate/internal/model"
)

// EmailAllowlistEntry is one sender that may email faxes without SMTP AUTH.
type EmailAllowlistEntry struct {
	ID        string    `json:"id" api:"required"`
	TenantID  string    `json:"tenant_id" api:"required"`
	Kind      string    `json:"kind" api:"required" enum:"address,domain,network" doc:"What the entry matches: the envelope sender address, its domain, or the client's IP network."`
	Value     string    `json:"value" api:"required" doc:"Lower-case address or domain, or a CIDR (an IP is stored as /32 or /128)."`
	UserID    string    `json:"user_id" api:"required" doc:"The user the faxes of a matching sender are sent as."`
	UserEmail string    `json:"user_email" api:"required"`
	Note      string    `json:"note" api:"required"`
	CreatedBy string    `json:"created_by" api:"required"`
	CreatedAt time.Time `json:"created_at" api:"required"`
}

// EmailAllowlist is the tenant's whole allowlist (at most 200 entries).
type EmailAllowlist struct {
	Items      []EmailAllowlistEntry `json:"items" api:"required"`
	NextCursor string                `json:"next_cursor" api:"required" doc:"Always empty: the list is on one page."`
}

// EmailAllowlistCreate adds an entry.
type EmailAllowlistCreate struct {
	Value  string `json:"value" api:"required" doc:"An email address, a domain, an IP address or a CIDR network (IPv4 /16 or narrower, IPv6 /32 or narrower)."`
	UserID string `json:"user_id" doc:"The user the faxes are sent as; default: the calling tenant admin."`
	Note   string `json:"note" doc:"At most 200 characters."`
}

func allowlistDTO(e senders.Entry) EmailAllowlistEntry {
	return EmailAllowlistEntry{ID: e.ID, TenantID: e.TenantID, Kind: string(e.Kind), Value: e.Value,
		UserID: e.UserID, UserEmail: e.UserEmail, Note: e.Note, CreatedBy: e.CreatedBy, CreatedAt: utc(e.CreatedAt)}
}

// emailRoutes are the tenant's email-to-fax sender allowlist.
func (a *API) emailRoutes() []Route {
	if a.d.EmailSenders == nil {
		return nil
	}
	const desc = "Senders on the allowlist may email faxes to <number>@<email domain> without SMTP AUTH: " +
		"an address or domain matches the envelope sender (which anyone can write: prefer networks), a network the " +
		"connecting mail server or scanner. Users of the tenant may always send after SMTP AUTH, or from their own " +
		"address when its domain's SPF or DKIM vouches for the message."
	return []Route{
		{Method: "GET", Path: Prefix + "/email-allowlist", ID: "listEmailAllowlist", Tag: "email", Roles: tenantAdmins,
			Query: []Param{tenantParam}, Resp: EmailAllowlist{}, Summary: "List the email-to-fax sender allowlist.",
			Description: desc, handle: a.listEmailAllowlist},
		{Method: "POST", Path: Prefix + "/email-allowlist", ID: "addEmailAllowlist", Tag: "email", Roles: tenantAdmins,
			Query: []Param{tenantParam}, Body: EmailAllowlistCreate{}, Resp: EmailAllowlistEntry{},
			Status: http.StatusCreated, Errors: []int{http.StatusConflict},
			Summary: "Add a sender address, domain or network to the allowlist.", Description: desc,
			handle: a.addEmailAllowlist},
		{Method: "DELETE", Path: Prefix + "/email-allowlist/{id}", ID: "removeEmailAllowlist", Tag: "email",
			Roles: tenantAdmins, Query: []Param{tenantParam}, Status: http.StatusNoContent,
			Summary: "Remove an allowlist entry.", handle: a.removeEmailAllowlist},
	}
}

func (a *API) allowlistTenant(r *http.Request, actor model.Actor) (string, error) {
	q, err := newQuery(r, "tenant_id")
	if err != nil {
		return "", err
	}
	return q.tenantID(actor)
}

func (a *API) listEmailAllowlist(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	tid, err := a.allowlistTenant(r, actor)
	if err != nil {
		return err
	}
	es, err := a.d.EmailSenders.List(r.Context(), actor, tid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, EmailAllowlist{Items: mapSlice(es, allowlistDTO)})
	return nil
}

func (a *API) addEmailAllowlist(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	tid, err := a.allowlistTenant(r, actor)
	if err != nil {
		return err
	}
	var in EmailAllowlistCreate
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	e, err := a.d.EmailSenders.Add(r.Context(), actor, tid, senders.Input{Value: in.Value, UserID: in.UserID, Note: in.Note})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, allowlistDTO(e))
	return nil
}

func (a *API) removeEmailAllowlist(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	tid, err := a.allowlistTenant(r, actor)
	if err != nil {
		return err
	}
	if err := a.d.EmailSenders.Remove(r.Context(), actor, tid, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
