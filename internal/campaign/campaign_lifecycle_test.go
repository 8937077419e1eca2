package campaign_test

import (
	"errors"
	"testing"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
)

// TestCampaignLifecycle walks the transitions in order: each action either
// moves the campaign to the wanted status or is refused with a
// *TransitionError (409) and changes nothing.
func TestCampaignLifecycle(t *testing.T) {
	forCampEngine(t, campOpts{}, func(t *testing.T, e *campEnv) {
		g := e.group(t, e.w.TenantAActor, "Lifecycle", 3)
		c := e.campaign(t, e.w.UserAActor, g, nil)
		title := "Renamed"
		actions := map[string]func() (campaign.Campaign, error){
			"start":  func() (campaign.Campaign, error) { return e.svc.StartCampaign(e.ctx, e.w.UserAActor, c.ID) },
			"pause":  func() (campaign.Campaign, error) { return e.svc.PauseCampaign(e.ctx, e.w.UserAActor, c.ID) },
			"resume": func() (campaign.Campaign, error) { return e.svc.ResumeCampaign(e.ctx, e.w.UserAActor, c.ID) },
			"stop":   func() (campaign.Campaign, error) { return e.svc.StopCampaign(e.ctx, e.w.UserAActor, c.ID) },
			"retry": func() (campaign.Campaign, error) {
				return e.svc.RetryFailedCampaign(e.ctx, e.w.UserAActor, c.ID)
			},
			"edit": func() (campaign.Campaign, error) {
				return e.svc.UpdateCampaign(e.ctx, e.w.UserAActor, c.ID, campaign.Patch{Title: &title})
			},
			"delete": func() (campaign.Campaign, error) {
				return campaign.Campaign{}, e.svc.DeleteCampaign(e.ctx, e.w.UserAActor, c.ID)
			},
		}
		steps := []struct {
			action string
			want   campaign.Status // status after the step
			refuse bool
		}{
			{"pause", campaign.StatusDraft, true},
			{"resume", campaign.StatusDraft, true},
			{"stop", campaign.StatusDraft, true},
			{"edit", campaign.StatusDraft, false},
			{"start", campaign.StatusRunning, false},
			{"start", campaign.StatusRunning, true},
			{"edit", campaign.StatusRunning, true},
			{"delete", campaign.StatusRunning, true},
			{"resume", campaign.StatusRunning, true},
			{"pause", campaign.StatusPaused, false},
			{"pause", campaign.StatusPaused, true},
			{"retry", campaign.StatusPaused, false}, // nothing failed: a validation error, status kept
			{"resume", campaign.StatusRunning, false},
			{"pause", campaign.StatusPaused, false},
			{"stop", campaign.StatusStopped, false},
			{"stop", campaign.StatusStopped, true},
			{"resume", campaign.StatusStopped, true},
			{"retry", campaign.StatusStopped, true},
			{"start", campaign.StatusStopped, true},
		}
		for i, s := range steps {
			_, err := actions[s.action]()
			var te *campaign.TransitionError
			switch {
			case s.refuse && (!errors.As(err, &te) || !errors.Is(err, model.ErrConflict)):
				t.Errorf("step %d %s: error %v, want a transition error", i, s.action, err)
			case !s.refuse && s.action != "retry" && err != nil:
				t.Errorf("step %d %s: %v", i, s.action, err)
			}
			if got := e.get(t, c.ID); got.Status != s.want {
				t.Errorf("step %d %s: status %s, want %s", i, s.action, got.Status, s.want)
			}
		}
		got := e.get(t, c.ID)
		if got.Title != title || got.Canceled != 3 || got.Pending != 0 || got.Total != 3 {
			t.Errorf("stopped campaign %+v: want the new title and 3 canceled recipients", got)
		}
		if _, err := actions["delete"](); err != nil {
			t.Fatalf("delete a stopped campaign: %v", err)
		}
		if _, err := e.svc.GetCampaign(e.ctx, e.w.UserAActor, c.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("after delete: %v, want not found", err)
		}
	})
}

// TestCampaignIsolation: another tenant's campaign is not found for every
// action, and a campaign cannot name another tenant's group or document.
func TestCampaignIsolation(t *testing.T) {
	forCampEngine(t, campOpts{}, func(t *testing.T, e *campEnv) {
		g := e.group(t, e.w.TenantAActor, "Mine", 1)
		c := e.campaign(t, e.w.TenantAActor, g, nil)
		b := e.w.UserBActor
		if _, err := e.svc.GetCampaign(e.ctx, b, c.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("get: %v", err)
		}
		if _, err := e.svc.StartCampaign(e.ctx, b, c.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("start: %v", err)
		}
		if err := e.svc.DeleteCampaign(e.ctx, b, c.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("delete: %v", err)
		}
		if _, _, err := e.svc.ListRecipients(e.ctx, b, c.ID, campaign.RecipientFilter{}, model.ListOptions{}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("recipients: %v", err)
		}
		list, _, err := e.svc.ListCampaigns(e.ctx, b, campaign.ListFilter{}, model.ListOptions{})
		if err != nil || len(list) != 0 {
			t.Errorf("tenant B lists %d campaigns (%v), want none", len(list), err)
		}
		_, err = e.svc.CreateCampaign(e.ctx, b, campaign.Input{Title: "Steal", DocumentID: e.doc.ID, GroupID: g.ID})
		var ve *model.ValidationError
		if !errors.As(err, &ve) || ve.Fields["group_id"] == "" || ve.Fields["document_id"] == "" {
			t.Errorf("create with tenant A's group and document: %v", err)
		}
	})
}

// TestCampaignValidation checks the bounds of the settings.
func TestCampaignValidation(t *testing.T) {
	forCampEngine(t, campOpts{}, func(t *testing.T, e *campEnv) {
		g := e.group(t, e.w.TenantAActor, "V", 1)
		cases := []struct {
			field string
			edit  func(*campaign.Input)
		}{
			{"title", func(in *campaign.Input) { in.Title = " " }},
			{"calls_per_minute", func(in *campaign.Input) { in.CallsPerMinute = campaign.MaxCallsPerMinute + 1 }},
			{"max_lines", func(in *campaign.Input) { in.MaxLines = -1 }},
			{"retries", func(in *campaign.Input) { in.Retries = 11 }},
			{"retry_delay_s", func(in *campaign.Input) { in.RetryDelay = 1 }},
			{"window_hours", func(in *campaign.Input) { in.Window = campaign.Window{Days: 1, StartHour: 17, EndHour: 9} }},
			{"window_days", func(in *campaign.Input) { in.Window = campaign.Window{Days: 0x80, EndHour: 24} }},
			{"group_id", func(in *campaign.Input) { in.GroupID = "grp_nope" }},
			{"document_id", func(in *campaign.Input) { in.DocumentID = "" }},
		}
		for _, tc := range cases {
			in := campaign.Input{Title: "T", DocumentID: e.doc.ID, GroupID: g.ID}
			tc.edit(&in)
			_, err := e.svc.CreateCampaign(e.ctx, e.w.TenantAActor, in)
			var ve *model.ValidationError
			if !errors.As(err, &ve) || ve.Fields[tc.field] == "" {
				t.Errorf("%s: error %v, want a validation error on it", tc.field, err)
			}
		}
	})
}
