package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"faxgate/internal/campaign"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// dncScope reads ?scope= (tenant, the default, or global).
func dncScope(q query) (bool, error) {
	switch q.get("scope") {
	case "", "tenant":
		return false, nil
	case "global":
		return true, nil
	}
	return false, model.Invalid("scope", "must be tenant or global")
}

var scopeParam = Param{Name: "scope", Enum: []string{"tenant", "global"},
	Desc: "tenant (default): the tenant's list; global: the platform-wide list (admins only)."}

func (a *API) listDNC(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "q", "scope", "limit", "cursor")
	if err != nil {
		return err
	}
	global, err := dncScope(q)
	if err != nil {
		return err
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	ds, next, err := a.d.Campaigns.ListDNC(r.Context(), actor,
		store.DNCFilter{Query: strings.TrimSpace(q.get("q")), Global: global}, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, DNCList{Items: mapSlice(ds, dncDTO), NextCursor: next})
	return nil
}

func (a *API) createDNC(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "scope")
	if err != nil {
		return err
	}
	global, err := dncScope(q)
	if err != nil {
		return err
	}
	var in DNCInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	d, err := a.d.Campaigns.AddDNC(r.Context(), actor, campaign.DNCInput{TenantID: in.TenantID, Global: global,
		Number: in.Number, Note: in.Note})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/dnc/"+d.ID)
	httpx.WriteJSON(w, http.StatusCreated, dncDTO(d))
	return nil
}

func (a *API) getDNC(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	d, err := a.d.Campaigns.GetDNC(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, dncDTO(d))
	return nil
}

func (a *API) deleteDNC(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Campaigns.RemoveDNC(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) importDNC(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	res, err := a.receiveDNCImport(r, actor)
	if err != nil {
		drain(r)
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, DNCImportResult{Total: res.Total, Added: res.Added,
		AlreadyListed: res.AlreadyListed, Invalid: res.Invalid, Errors: mapSlice(res.Errors, rowErrorDTO)})
	return nil
}

func (a *API) receiveDNCImport(r *http.Request, actor model.Actor) (campaign.DNCImportResult, error) {
	u, err := readCSVUpload(r, "scope", "tenant_id", "note", "delimiter", "encoding")
	if err != nil {
		return campaign.DNCImportResult{}, err
	}
	global, err := dncScope(query{v: map[string][]string{"scope": {u.Fields["scope"]}}})
	if err != nil {
		return campaign.DNCImportResult{}, err
	}
	o, err := csvOptions(u.Fields)
	if err != nil {
		return campaign.DNCImportResult{}, err
	}
	res, err := a.d.Campaigns.ImportDNCCSV(r.Context(), actor, campaign.DNCInput{TenantID: u.Fields["tenant_id"],
		Global: global, Note: u.Fields["note"]}, u.File, o)
	var me *http.MaxBytesError
	if errors.As(err, &me) {
		err = fmt.Errorf("%w: the file is larger than %d bytes", model.ErrTooLarge, MaxDNCImportBytes)
	}
	return res, err
}
