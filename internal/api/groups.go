package api

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"faxgate/internal/campaign"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

func (a *API) listGroups(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "q", "limit", "cursor")
	if err != nil {
		return err
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	gs, next, err := a.d.Campaigns.ListGroups(r.Context(), actor, store.GroupFilter{Query: strings.TrimSpace(q.get("q"))}, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, GroupList{Items: mapSlice(gs, groupDTO), NextCursor: next})
	return nil
}

func (a *API) createGroup(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in GroupInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	g, err := a.d.Campaigns.CreateGroup(r.Context(), actor, campaign.GroupInput{TenantID: in.TenantID,
		Name: in.Name, Description: in.Description})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/groups/"+g.ID)
	httpx.WriteJSON(w, http.StatusCreated, groupDTO(g))
	return nil
}

func (a *API) getGroup(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	g, err := a.d.Campaigns.GetGroup(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, groupDTO(g))
	return nil
}

func (a *API) patchGroup(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in GroupPatch
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	g, err := a.d.Campaigns.UpdateGroup(r.Context(), actor, pathID(r), campaign.GroupPatch{Name: in.Name,
		Description: in.Description})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, groupDTO(g))
	return nil
}

func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Campaigns.DeleteGroup(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listMembers(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	f, o, _, err := contactListFilter(r)
	if err != nil {
		return err
	}
	cs, next, err := a.d.Campaigns.ListMembers(r.Context(), actor, pathID(r), f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ContactList{Items: mapSlice(cs, contactDTO), NextCursor: next})
	return nil
}

// changeMembers serves adding (add) or removing the contacts of the body.
func (a *API) changeMembers(add bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
		var in GroupMembers
		if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
			return err
		}
		return a.writeMembersChanged(w, r, actor, in.ContactIDs, add)
	}
}

func (a *API) removeMember(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	return a.writeMembersChanged(w, r, actor, []string{r.PathValue("contact_id")}, false)
}

func (a *API) writeMembersChanged(w http.ResponseWriter, r *http.Request, actor model.Actor, ids []string, add bool) error {
	svc, id := a.d.Campaigns, pathID(r)
	change := svc.RemoveMembers
	if add {
		change = svc.AddMembers
	}
	n, err := change(r.Context(), actor, id, ids)
	if err != nil {
		return err
	}
	g, err := svc.GetGroup(r.Context(), actor, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, GroupMembersChanged{Changed: n, MemberCount: g.MemberCount})
	return nil
}

// importGroup receives a CSV file for the group and queues its import.
func (a *API) importGroup(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	im, err := a.receiveImport(r, actor)
	if err != nil {
		drain(r)
		return err
	}
	out, err := importDTO(im)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/groups/"+im.GroupID+"/imports/"+im.ID)
	httpx.WriteJSON(w, http.StatusAccepted, out)
	return nil
}

func (a *API) receiveImport(r *http.Request, actor model.Actor) (model.ContactImport, error) {
	// The group is checked before the upload is read: a foreign group is
	// 404 without storing anything.
	if _, err := a.d.Campaigns.GetGroup(r.Context(), actor, pathID(r)); err != nil {
		return model.ContactImport{}, err
	}
	u, err := readCSVUpload(r, "mapping", "delimiter", "encoding")
	if err != nil {
		return model.ContactImport{}, err
	}
	csvOpts, err := csvOptions(u.Fields)
	if err != nil {
		return model.ContactImport{}, err
	}
	mapping, err := parseMapping(u.Fields["mapping"])
	if err != nil {
		return model.ContactImport{}, err
	}
	im, err := a.d.Campaigns.StartImport(r.Context(), actor, pathID(r), u.Filename, u.File,
		campaign.ImportOptions{CSV: csvOpts, Mapping: mapping})
	var me *http.MaxBytesError
	if errors.As(err, &me) {
		err = fmt.Errorf("%w: the file is larger than %d bytes", model.ErrTooLarge, campaign.MaxImportFileBytes)
	}
	return im, err
}

func (a *API) getImport(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	im, err := a.d.Campaigns.GetImport(r.Context(), actor, r.PathValue("import_id"))
	if err != nil {
		return err
	}
	if im.GroupID != pathID(r) {
		return model.ErrNotFound
	}
	out, err := importDTO(im)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// exportGroup streams the group's contacts as CSV. Once the first bytes
// are out an error can only cut the file short; it is logged.
func (a *API) exportGroup(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	g, err := a.d.Campaigns.GetGroup(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+ExportFilename(g.Name)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := a.d.Campaigns.ExportGroupCSV(r.Context(), actor, g.ID, w); err != nil {
		a.d.Logger.WarnContext(r.Context(), "group export cut short", "group", g.ID, "err", err)
	}
	return nil
}

var unsafeFilename = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// ExportFilename is the download name of a group's CSV export: the group
// name reduced to safe characters.
func ExportFilename(name string) string {
	n := strings.Trim(unsafeFilename.ReplaceAllString(name, "-"), "-.")
	if n == "" {
		n = "group"
	}
	if len(n) > 80 {
		n = n[:80]
	}
	return n + ".csv"
}
