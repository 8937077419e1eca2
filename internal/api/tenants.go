package api

import (
	"net/http"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/tenancy"
)

func (a *API) listTenants(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "q", "status", "limit", "cursor")
	if err != nil {
		return err
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	f := store.TenantFilter{Query: q.get("q"), Status: model.TenantStatus(q.get("status"))}
	if f.Status != "" && !f.Status.Valid() {
		return model.Invalid("status", "must be active or suspended")
	}
	ts, next, err := a.d.Tenancy.ListTenants(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, TenantList{Items: mapSlice(ts, tenantDTO), NextCursor: next})
	return nil
}

func (in TenantInput) domain() tenancy.TenantInput {
	return tenancy.TenantInput{Name: in.Name, Status: model.TenantStatus(in.Status),
		DailyPageLimit: in.DailyPageLimit, MonthlyPageLimit: in.MonthlyPageLimit,
		RetentionDays: in.RetentionDays, EmailDomain: in.EmailDomain}
}

func (a *API) createTenant(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in TenantInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	t, err := a.d.Tenancy.CreateTenant(r.Context(), actor, in.domain())
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/tenants/"+t.ID)
	httpx.WriteJSON(w, http.StatusCreated, tenantDTO(t))
	return nil
}

func (a *API) getTenant(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	t, err := a.d.Tenancy.GetTenant(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, tenantDTO(t))
	return nil
}

func (a *API) patchTenant(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in TenantInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	t, err := a.d.Tenancy.UpdateTenant(r.Context(), actor, pathID(r), in.domain())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, tenantDTO(t))
	return nil
}
