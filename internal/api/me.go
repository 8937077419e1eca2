package api

import (
	"net/http"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

func (a *API) getMe(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	u, err := a.d.Tenancy.GetUser(r.Context(), actor, actor.UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, userDTO(u))
	return nil
}

func (a *API) patchMe(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	return a.updateUser(w, r, actor, actor.UserID)
}

func (a *API) changeMyPassword(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in PasswordChange
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	if err := a.d.Auth.ChangePassword(r.Context(), actor, in.CurrentPassword, in.NewPassword); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
