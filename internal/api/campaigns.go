package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"faxgate/internal/campaign"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

func (a *API) listCampaigns(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "status", "q", "limit", "cursor")
	if err != nil {
		return err
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	cs, next, err := a.d.Campaigns.ListCampaigns(r.Context(), actor,
		campaign.ListFilter{Status: campaign.Status(q.get("status")), Query: q.get("q")}, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, CampaignList{Items: mapSlice(cs, campaignDTO), NextCursor: next})
	return nil
}

func (a *API) createCampaign(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in CampaignInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	win, err := window(daysPtr(in.WindowDays), in.WindowStartHour, in.WindowEndHour, campaign.Window{})
	if err != nil {
		return err
	}
	c, err := a.d.Campaigns.CreateCampaign(r.Context(), actor, campaign.Input{TenantID: in.TenantID, Title: in.Title,
		DocumentID: in.DocumentID, GroupID: in.GroupID, CallerID: in.CallerID, Retries: in.Retries,
		RetryDelay: time.Duration(in.RetryDelayS) * time.Second, CallsPerMinute: in.CallsPerMinute,
		MaxLines: in.MaxLines, Window: win, CoverPage: in.CoverPage, OptOut: in.OptOut})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, campaignDTO(c))
	return nil
}

func daysPtr(d []string) *[]string {
	if d == nil {
		return nil
	}
	return &d
}

func (a *API) getCampaign(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	c, err := a.d.Campaigns.GetCampaign(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, campaignDTO(c))
	return nil
}

func (a *API) patchCampaign(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in CampaignPatch
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	p := campaign.Patch{Title: in.Title, DocumentID: in.DocumentID, GroupID: in.GroupID, CallerID: in.CallerID,
		OptOut: in.OptOut, Retries: in.Retries, CallsPerMinute: in.CallsPerMinute, MaxLines: in.MaxLines,
		CoverPage: in.CoverPage}
	if in.RetryDelayS != nil {
		d := time.Duration(*in.RetryDelayS) * time.Second
		p.RetryDelay = &d
	}
	if in.WindowDays != nil || in.WindowStartHour != nil || in.WindowEndHour != nil {
		cur, err := a.d.Campaigns.GetCampaign(r.Context(), actor, pathID(r))
		if err != nil {
			return err
		}
		win, err := window(in.WindowDays, in.WindowStartHour, in.WindowEndHour, cur.Window)
		if err != nil {
			return err
		}
		p.Window = &win
	}
	c, err := a.d.Campaigns.UpdateCampaign(r.Context(), actor, pathID(r), p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, campaignDTO(c))
	return nil
}

func (a *API) deleteCampaign(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Campaigns.DeleteCampaign(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// campaignAction serves one lifecycle action (start, pause, ...).
func (a *API) campaignAction(do func(*campaign.Service, context.Context, model.Actor, string) (campaign.Campaign, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
		c, err := do(a.d.Campaigns, r.Context(), actor, pathID(r))
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, campaignDTO(c))
		return nil
	}
}

func (a *API) listCampaignRecipients(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	q, err := newQuery(r, "state", "q", "format", "limit", "cursor")
	if err != nil {
		return err
	}
	f := campaign.RecipientFilter{State: campaign.RecipientState(q.get("state")), Query: strings.TrimSpace(q.get("q"))}
	if len(f.Query) > 100 {
		return model.Invalid("q", "at most 100 characters")
	}
	switch q.get("format") {
	case "", "json":
	case "csv":
		return a.exportCampaignRecipients(w, r, actor, f)
	default:
		return model.Invalid("format", "must be json or csv")
	}
	o, err := q.page()
	if err != nil {
		return err
	}
	rs, next, err := a.d.Campaigns.ListRecipients(r.Context(), actor, pathID(r), f, o)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, CampaignRecipientList{Items: mapSlice(rs, recipientDTO), NextCursor: next})
	return nil
}

// exportCampaignRecipients streams the whole list as CSV. The campaign is
// read first so a wrong id is still a JSON 404, not a CSV body.
func (a *API) exportCampaignRecipients(w http.ResponseWriter, r *http.Request, actor model.Actor, f campaign.RecipientFilter) error {
	c, err := a.d.Campaigns.GetCampaign(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	if f.State != "" && !f.State.Valid() {
		return model.Invalid("state", "unknown state")
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="campaign-`+c.ID+`-recipients.csv"`)
	if err := a.d.Campaigns.ExportRecipientsCSV(r.Context(), actor, c.ID, f, w); err != nil {
		a.d.Logger.Warn("api: campaign recipients export cut short", "campaign", c.ID, "err", err)
	}
	return nil
}
