package campaign

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"faxgate/internal/model"
)

// The campaign and recipient types live in internal/model (the store
// reads and writes them); these aliases keep this package's API, which
// internal/api and internal/ui use, unchanged.
type (
	// Status is where a campaign is in its life (model.CampaignStatus).
	Status = model.CampaignStatus
	// Window is when a campaign may send (model.CampaignWindow).
	Window = model.CampaignWindow
	// Campaign is one bulk fax (model.Campaign).
	Campaign = model.Campaign
)

// Campaign statuses.
const (
	StatusDraft     = model.CampaignDraft
	StatusRunning   = model.CampaignRunning
	StatusPaused    = model.CampaignPaused
	StatusCompleted = model.CampaignCompleted
	StatusStopped   = model.CampaignStopped
)

// Audit actions of campaigns.
const (
	ActionCampaignCreated     = "campaign.created"
	ActionCampaignUpdated     = "campaign.updated"
	ActionCampaignDeleted     = "campaign.deleted"
	ActionCampaignStarted     = "campaign.started"
	ActionCampaignPaused      = "campaign.paused"
	ActionCampaignResumed     = "campaign.resumed"
	ActionCampaignStopped     = "campaign.stopped"
	ActionCampaignRetryFailed = "campaign.retry_failed"
)

// PrefixCampaign starts campaign ids.
const PrefixCampaign = model.PrefixCampaign

// Bounds of campaign fields.
const (
	MaxTitleLen       = 200
	MaxOptOutLen      = 200
	MaxCallsPerMinute = 600
	MaxLines          = 1000
	MaxRetries        = 10
	// DefaultCallsPerMinute and DefaultMaxLines apply when a new
	// campaign leaves them 0.
	DefaultCallsPerMinute = 10
	DefaultMaxLines       = 5
)

// AllDays is the Window.Days mask of every day of the week.
const AllDays = model.AllDays

// Always is the window without restriction.
func Always() Window { return model.AlwaysOpen() }

// Input is a new campaign. TenantID is for platform admins only.
type Input struct {
	TenantID       string
	Title          string
	DocumentID     string
	GroupID        string
	CallerID       string
	Retries        int
	RetryDelay     time.Duration
	CallsPerMinute int
	MaxLines       int
	Window         Window
	CoverPage      bool
	OptOut         string
}

// Patch changes the non-nil fields of a draft campaign.
type Patch struct {
	Title, DocumentID, GroupID, CallerID, OptOut *string
	Retries, CallsPerMinute, MaxLines            *int
	RetryDelay                                   *time.Duration
	Window                                       *Window
	CoverPage                                    *bool
}

// TransitionError refuses a lifecycle action in the campaign's status
// (HTTP 409 with its message).
type TransitionError struct {
	Action string
	From   Status
	Want   string // the statuses the action works in, for the message
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s a %s campaign: %s works on %s campaigns", e.Action, e.From, e.Action, e.Want)
}

// Unwrap makes errors.Is(err, model.ErrConflict) true.
func (e *TransitionError) Unwrap() error { return model.ErrConflict }

// validate normalises and checks a campaign's settings.
func (s *Service) validate(ctx context.Context, c *Campaign) error {
	v := &model.ValidationError{}
	c.Title = strings.TrimSpace(c.Title)
	c.CallerID = strings.TrimSpace(c.CallerID)
	c.OptOut = strings.TrimSpace(c.OptOut)
	switch n := utf8.RuneCountInString(c.Title); {
	case n == 0:
		v.Add("title", "required")
	case n > MaxTitleLen:
		v.Add("title", fmt.Sprintf("at most %d characters", MaxTitleLen))
	}
	if utf8.RuneCountInString(c.OptOut) > MaxOptOutLen {
		v.Add("opt_out", fmt.Sprintf("at most %d characters", MaxOptOutLen))
	}
	if c.Retries < 0 || c.Retries > MaxRetries {
		v.Add("retries", fmt.Sprintf("must be 0 to %d", MaxRetries))
	}
	if c.RetryDelay != 0 && (c.RetryDelay < model.MinRetryDelay || c.RetryDelay > model.MaxRetryDelay) {
		v.Add("retry_delay_s", fmt.Sprintf("must be 0 (the tenant's setting) or %d to %d seconds",
			int(model.MinRetryDelay.Seconds()), int(model.MaxRetryDelay.Seconds())))
	}
	if c.CallsPerMinute < 1 || c.CallsPerMinute > MaxCallsPerMinute {
		v.Add("calls_per_minute", fmt.Sprintf("must be 1 to %d", MaxCallsPerMinute))
	}
	if c.MaxLines < 1 || c.MaxLines > MaxLines {
		v.Add("max_lines", fmt.Sprintf("must be 1 to %d", MaxLines))
	}
	c.Window = c.Window.OrAlways()
	if w := c.Window; w.Days&AllDays == 0 || w.Days&^AllDays != 0 {
		v.Add("window_days", "choose at least one day")
	} else if w.StartHour < 0 || w.EndHour > 24 || w.StartHour >= w.EndHour {
		v.Add("window_hours", "the start hour must come before the end hour (0 to 24)")
	}
	s.checkRefs(ctx, c, v)
	return v.OrNil()
}

// checkRefs checks that the document and the group belong to the tenant.
func (s *Service) checkRefs(ctx context.Context, c *Campaign, v *model.ValidationError) {
	scope := model.TenantScope(c.TenantID)
	if c.DocumentID == "" {
		v.Add("document_id", "required")
	} else if d, err := s.st.GetDocument(ctx, scope, c.DocumentID); err != nil {
		v.Add("document_id", "no such document")
	} else if d.Status == model.DocumentFailed {
		v.Add("document_id", "the document could not be converted")
	}
	if c.GroupID == "" {
		v.Add("group_id", "required")
	} else if _, err := s.st.GetGroup(ctx, scope, c.GroupID); err != nil {
		v.Add("group_id", "no such group")
	}
}

// CreateCampaign saves a new draft campaign.
func (s *Service) CreateCampaign(ctx context.Context, actor model.Actor, in Input) (Campaign, error) {
	tenantID, err := tenantFor(actor, in.TenantID)
	if err != nil {
		return Campaign{}, err
	}
	c := Campaign{TenantID: tenantID, UserID: actor.UserID, Title: in.Title, DocumentID: in.DocumentID,
		GroupID: in.GroupID, CallerID: in.CallerID, Retries: in.Retries, RetryDelay: in.RetryDelay,
		CallsPerMinute: in.CallsPerMinute, MaxLines: in.MaxLines, Window: in.Window, CoverPage: in.CoverPage,
		OptOut: in.OptOut, Status: StatusDraft}
	if c.CallsPerMinute == 0 {
		c.CallsPerMinute = DefaultCallsPerMinute
	}
	if c.MaxLines == 0 {
		c.MaxLines = DefaultMaxLines
	}
	if err := s.validate(ctx, &c); err != nil {
		return Campaign{}, err
	}
	c.ID = model.NewID(PrefixCampaign)
	c.CreatedAt = s.clock()
	c.UpdatedAt = c.CreatedAt
	if err := s.st.InsertCampaign(ctx, c); err != nil {
		return Campaign{}, err
	}
	s.au.Record(ctx, actor, ActionCampaignCreated, "campaign", c.ID, c.Title, c.TenantID)
	return c, nil
}

// GetCampaign returns a campaign the actor may see, else ErrNotFound.
func (s *Service) GetCampaign(ctx context.Context, actor model.Actor, id string) (Campaign, error) {
	scope, err := scopeOf(actor)
	if err != nil {
		return Campaign{}, err
	}
	return s.st.GetCampaign(ctx, scope, id)
}

// UpdateCampaign changes a draft campaign's settings; other statuses are
// a *TransitionError.
func (s *Service) UpdateCampaign(ctx context.Context, actor model.Actor, id string, p Patch) (Campaign, error) {
	c, err := s.GetCampaign(ctx, actor, id)
	if err != nil {
		return Campaign{}, err
	}
	if !c.Editable() {
		return Campaign{}, &TransitionError{Action: "edit", From: c.Status, Want: "draft"}
	}
	p.apply(&c)
	if err := s.validate(ctx, &c); err != nil {
		return Campaign{}, err
	}
	c.UpdatedAt = s.clock()
	if err := s.st.UpdateCampaignDraft(ctx, model.TenantScope(c.TenantID), c); err != nil {
		if errors.Is(err, model.ErrConflict) {
			err = &TransitionError{Action: "edit", From: "no longer draft", Want: "draft"}
		}
		return Campaign{}, err
	}
	s.au.Record(ctx, actor, ActionCampaignUpdated, "campaign", c.ID, c.Title, c.TenantID)
	return c, nil
}

func (p Patch) apply(c *Campaign) {
	setIf(&c.Title, p.Title)
	setIf(&c.DocumentID, p.DocumentID)
	setIf(&c.GroupID, p.GroupID)
	setIf(&c.CallerID, p.CallerID)
	setIf(&c.OptOut, p.OptOut)
	setIf(&c.Retries, p.Retries)
	setIf(&c.CallsPerMinute, p.CallsPerMinute)
	setIf(&c.MaxLines, p.MaxLines)
	setIf(&c.RetryDelay, p.RetryDelay)
	setIf(&c.Window, p.Window)
	setIf(&c.CoverPage, p.CoverPage)
}

// setIf sets *dst to *v when v is not nil (a patch field that is present).
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// DeleteCampaign removes a draft, completed or stopped campaign with its
// recipient list (the faxes it sent stay in the fax history).
func (s *Service) DeleteCampaign(ctx context.Context, actor model.Actor, id string) error {
	c, err := s.GetCampaign(ctx, actor, id)
	if err != nil {
		return err
	}
	if !c.Deletable() {
		return &TransitionError{Action: "delete", From: c.Status, Want: "draft, completed or stopped"}
	}
	if err := s.st.DeleteCampaign(ctx, model.TenantScope(c.TenantID), c.ID); err != nil {
		if errors.Is(err, model.ErrConflict) {
			err = &TransitionError{Action: "delete", From: "changed", Want: "draft, completed or stopped"}
		}
		return err
	}
	s.au.Record(ctx, actor, ActionCampaignDeleted, "campaign", c.ID, c.Title, c.TenantID)
	return nil
}

// ListFilter narrows ListCampaigns.
type ListFilter = model.CampaignFilter

// ListCampaigns lists the actor's campaigns newest first (platform
// admins: every tenant's).
func (s *Service) ListCampaigns(ctx context.Context, actor model.Actor, f ListFilter, o model.ListOptions) ([]Campaign, string, error) {
	scope, err := scopeOf(actor)
	if err != nil {
		return nil, "", err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, "", model.Invalid("status", "must be draft, running, paused, completed or stopped")
	}
	return s.st.ListCampaigns(ctx, scope, f, o.Normalize(50, 200))
}

// clock is the service's time in UTC at the stores' microsecond precision.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// errNoJobs: the lifecycle needs the River client (EnableImportJobs).
var errNoJobs = errors.New("campaign: the job queue is not configured")
