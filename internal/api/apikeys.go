package api

import (
	"net/http"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

func (a *API) listAPIKeys(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if _, err := newQuery(r); err != nil {
		return err
	}
	keys, err := a.d.Auth.ListAPIKeys(r.Context(), actor)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, APIKeyList{Items: mapSlice(keys, apiKeyDTO)})
	return nil
}

func (a *API) createAPIKey(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in APIKeyCreate
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	k, raw, err := a.d.Auth.CreateAPIKey(r.Context(), actor, in.Name)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, APIKeyCreated{ID: k.ID, UserID: k.UserID, Name: k.Name,
		Prefix: k.Prefix, CreatedAt: utc(k.CreatedAt), Key: raw})
	return nil
}

func (a *API) revokeAPIKey(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Auth.RevokeAPIKey(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
