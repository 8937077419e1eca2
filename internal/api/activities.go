package api

import (
	"io"
	"net/http"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

func (a *API) listActivities(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "from", "to", "user_id", "action", "q", "tenant_id", "limit", "cursor", "format", "tz")
	if err != nil {
		return err
	}
	f, o, err := activityFilter(q, actor)
	if err != nil {
		return err
	}
	switch q.get("format") {
	case "csv":
		loc, err := a.csvLocation(r.Context(), q, actor)
		if err != nil {
			return err
		}
		return streamCSV(w, "activities", func(w io.Writer) error {
			_, err := a.d.Audit.WriteCSV(r.Context(), actor, f, loc, w)
			return err
		})
	case "", "json":
	default:
		return model.Invalid("format", "must be json or csv")
	}
	evs, next, err := a.d.Audit.List(r.Context(), actor, f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ActivityList{Items: mapSlice(evs, activityDTO), NextCursor: next})
	return nil
}

func activityFilter(q query, actor model.Actor) (store.AuditFilter, model.ListOptions, error) {
	o, err := q.page()
	if err != nil {
		return store.AuditFilter{}, o, err
	}
	tenantID, err := q.tenantID(actor)
	if err != nil {
		return store.AuditFilter{}, o, err
	}
	f := store.AuditFilter{UserID: q.get("user_id"), Action: q.get("action"), Query: q.get("q"), TenantID: tenantID}
	v := &model.ValidationError{}
	var ok bool
	if f.From, ok = q.timeParam("from", false); !ok {
		v.Add("from", timeFormatHint)
	}
	if f.To, ok = q.timeParam("to", true); !ok {
		v.Add("to", timeFormatHint)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		v.Add("to", "must be after from")
	}
	return f, o, v.OrNil()
}
