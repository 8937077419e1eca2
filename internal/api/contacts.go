package api

import (
	"net/http"
	"strings"

	"faxgate/internal/campaign"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// contactListFilter reads q, sort and the page of a contact list.
func contactListFilter(r *http.Request, extra ...string) (store.ContactFilter, model.ListOptions, query, error) {
	q, err := newQuery(r, append([]string{"q", "sort", "limit", "cursor"}, extra...)...)
	if err != nil {
		return store.ContactFilter{}, model.ListOptions{}, q, err
	}
	f := store.ContactFilter{Query: strings.TrimSpace(q.get("q")), Sort: store.ContactSort(q.get("sort"))}
	switch f.Sort {
	case "", store.SortCreated, store.SortName:
	default:
		return f, model.ListOptions{}, q, model.Invalid("sort", "must be created or name")
	}
	if len(f.Query) > 200 {
		return f, model.ListOptions{}, q, model.Invalid("q", "at most 200 characters")
	}
	o, err := q.page()
	return f, o, q, err
}

func (a *API) listContacts(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	f, o, q, err := contactListFilter(r, "group_id")
	if err != nil {
		return err
	}
	f.GroupID = q.get("group_id")
	cs, next, err := a.d.Campaigns.ListContacts(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ContactList{Items: mapSlice(cs, contactDTO), NextCursor: next})
	return nil
}

func (a *API) createContact(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in ContactInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	c, err := a.d.Campaigns.CreateContact(r.Context(), actor, campaign.ContactInput{TenantID: in.TenantID,
		FirstName: in.FirstName, LastName: in.LastName, Fax: in.Fax, Email: in.Email, Company: in.Company,
		Address: in.Address, Description: in.Description, Custom: in.Custom})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/contacts/"+c.ID)
	httpx.WriteJSON(w, http.StatusCreated, contactDTO(c))
	return nil
}

func (a *API) getContact(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	c, err := a.d.Campaigns.GetContact(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, contactDTO(c))
	return nil
}

func (a *API) patchContact(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in ContactPatch
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	c, err := a.d.Campaigns.UpdateContact(r.Context(), actor, pathID(r), campaign.ContactPatch{
		FirstName: in.FirstName, LastName: in.LastName, Fax: in.Fax, Email: in.Email, Company: in.Company,
		Address: in.Address, Description: in.Description, Custom: in.Custom})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, contactDTO(c))
	return nil
}

func (a *API) deleteContact(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Campaigns.DeleteContact(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
