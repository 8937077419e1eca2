package api

import (
	"net/http"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "q", "role", "status", "tenant_id", "limit", "cursor")
	if err != nil {
		return err
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	tenantID, err := q.tenantID(actor)
	if err != nil {
		return err
	}
	f := store.UserFilter{Query: q.get("q"), Role: model.Role(q.get("role")),
		Status: model.UserStatus(q.get("status")), TenantID: tenantID}
	v := &model.ValidationError{}
	if f.Role != "" && !f.Role.Valid() {
		v.Add("role", "must be admin, tenant or user")
	}
	if f.Status != "" && !f.Status.Valid() {
		v.Add("status", "must be active or disabled")
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	us, next, err := a.d.Tenancy.ListUsers(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, UserList{Items: mapSlice(us, userDTO), NextCursor: next})
	return nil
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in UserCreate
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	u, err := a.d.Tenancy.CreateUser(r.Context(), actor, tenancy.UserInput{
		TenantID: in.TenantID, Role: model.Role(in.Role), Email: in.Email, APIUsername: in.APIUsername,
		Password: in.Password, FirstName: in.FirstName, LastName: in.LastName, Phone: in.Phone,
		Status: model.UserStatus(in.Status)})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/users/"+u.ID)
	httpx.WriteJSON(w, http.StatusCreated, userDTO(u))
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	u, err := a.d.Tenancy.GetUser(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, userDTO(u))
	return nil
}

func (a *API) patchUser(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	return a.updateUser(w, r, actor, pathID(r))
}

// updateUser applies a UserPatch; the service decides what the actor may
// change (nobody raises their own role, users keep role and status, ...).
func (a *API) updateUser(w http.ResponseWriter, r *http.Request, actor model.Actor, id string) error {
	var in UserPatch
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	p := tenancy.UserPatch{Email: in.Email, APIUsername: in.APIUsername, FirstName: in.FirstName,
		LastName: in.LastName, Phone: in.Phone, TenantID: in.TenantID}
	if in.Role != nil {
		role := model.Role(*in.Role)
		p.Role = &role
	}
	if in.Status != nil {
		st := model.UserStatus(*in.Status)
		p.Status = &st
	}
	u, err := a.d.Tenancy.UpdateUser(r.Context(), actor, id, p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, userDTO(u))
	return nil
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Tenancy.DeleteUser(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) resetPassword(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in PasswordReset
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	if err := a.d.Tenancy.ResetPassword(r.Context(), actor, pathID(r), in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
