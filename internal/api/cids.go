package api

import (
	"net/http"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// CallerIDNumber is a caller ID of the pool.
type CallerIDNumber struct {
	ID        string    `json:"id" api:"required,readonly"`
	Number    string    `json:"number" api:"required" doc:"E.164."`
	TenantID  string    `json:"tenant_id" api:"required" doc:"Empty: unassigned."`
	Label     string    `json:"label" api:"required"`
	CreatedAt time.Time `json:"created_at" api:"required,readonly"`
	UpdatedAt time.Time `json:"updated_at" api:"required,readonly"`
}

// CallerIDInput adds a caller ID (POST) or changes it (PATCH: absent fields
// keep their value; tenant_id "" unassigns).
type CallerIDInput struct {
	Number   *string `json:"number,omitempty"`
	TenantID *string `json:"tenant_id,omitempty"`
	Label    *string `json:"label,omitempty"`
}

// CallerIDList is a page of caller IDs.
type CallerIDList struct {
	Items      []CallerIDNumber `json:"items" api:"required"`
	NextCursor string           `json:"next_cursor" api:"required" doc:"Empty on the last page."`
}

func cidDTO(c model.CallerID) CallerIDNumber {
	return CallerIDNumber{ID: c.ID, Number: c.Number, TenantID: c.TenantID, Label: c.Label,
		CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt)}
}

func (a *API) listCIDs(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "q", "tenant_id", "unassigned", "limit", "cursor")
	if err != nil {
		return err
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	f := store.CIDFilter{Query: q.get("q")}
	if actor.IsAdmin() {
		f.TenantID = q.get("tenant_id")
		switch q.get("unassigned") {
		case "", "false":
		case "true":
			f.Unassigned = true
		default:
			return &httpx.BadRequestError{Message: "unassigned must be true or false", Field: "unassigned"}
		}
	}
	cs, next, err := a.d.Faxout.ListCIDs(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, CallerIDList{Items: nonNil(mapSlice(cs, cidDTO)), NextCursor: next})
	return nil
}

func (a *API) createCID(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in CallerIDInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	c, err := a.d.Faxout.CreateCID(r.Context(), actor, faxout.CIDInput{Number: deref(in.Number),
		TenantID: deref(in.TenantID), Label: deref(in.Label)})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/cids/"+c.ID)
	httpx.WriteJSON(w, http.StatusCreated, cidDTO(c))
	return nil
}

func (a *API) getCID(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	c, err := a.d.Faxout.GetCID(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, cidDTO(c))
	return nil
}

func (a *API) patchCID(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in CallerIDInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	c, err := a.d.Faxout.UpdateCID(r.Context(), actor, pathID(r), faxout.CIDPatch{Number: in.Number,
		TenantID: in.TenantID, Label: in.Label})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, cidDTO(c))
	return nil
}

func (a *API) deleteCID(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Faxout.DeleteCID(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
