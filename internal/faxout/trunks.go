package faxout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"faxgate/internal/model"
	"faxgate/internal/phone"
)

// Bounds of trunk fields.
const (
	MaxTrunkChannels   = 10000
	MinRingTimeout     = 5 * time.Second
	MaxRingTimeout     = 10 * time.Minute
	maxTrunkNameLen    = 100
	maxCredentialLen   = 128
	defaultSIPPort     = 5060
	maxTrunkPriority   = 1_000_000
	maxTrunkHostLength = 253
)

// TrunkInput creates a trunk. Zero values take defaults: speed realtime
// (test kind), transport udp and port 5060 (SIP kind), T.38 request.
// Enabled and ECM default to true when nil.
type TrunkInput struct {
	Name           string
	Kind           model.TrunkKind
	Speed          model.TrunkSpeed
	Priority       int
	MaxChannels    int
	DialRules      model.DialRules
	TenantIDs      []string
	Enabled        *bool
	AllowedSources []model.FaxSource
	RingTimeout    time.Duration
	Host           string
	Port           int
	Transport      string
	Username       string
	Password       string
	Register       bool
	T38            model.T38Policy
	ECM            *bool
}

// TrunkPatch changes some fields of a trunk (nil: unchanged). Password ""
// keeps the stored secret unless ClearPassword is set.
type TrunkPatch struct {
	Name           *string
	Speed          *model.TrunkSpeed
	Priority       *int
	MaxChannels    *int
	DialRules      *model.DialRules
	TenantIDs      *[]string
	Enabled        *bool
	AllowedSources *[]model.FaxSource
	RingTimeout    *time.Duration
	Host           *string
	Port           *int
	Transport      *string
	Username       *string
	Password       *string
	ClearPassword  bool
	Register       *bool
	T38            *model.T38Policy
	ECM            *bool
}

func adminOnly(actor model.Actor) error {
	if !actor.IsAdmin() {
		return fmt.Errorf("%w: only platform admins manage trunks and the caller-ID pool", model.ErrForbidden)
	}
	return nil
}

// CreateTrunk adds a trunk (admins only).
func (s *Service) CreateTrunk(ctx context.Context, actor model.Actor, in TrunkInput) (model.Trunk, error) {
	if err := adminOnly(actor); err != nil {
		return model.Trunk{}, err
	}
	t := model.Trunk{Name: strings.TrimSpace(in.Name), Kind: in.Kind, Speed: in.Speed, Priority: in.Priority,
		MaxChannels: in.MaxChannels, DialRules: in.DialRules, TenantIDs: in.TenantIDs, Enabled: true,
		AllowedSources: in.AllowedSources, RingTimeout: in.RingTimeout, Host: strings.TrimSpace(in.Host), Port: in.Port,
		Transport: in.Transport, Username: in.Username, Password: in.Password, Register: in.Register, T38: in.T38,
		ECM: true}
	if in.Enabled != nil {
		t.Enabled = *in.Enabled
	}
	if in.ECM != nil {
		t.ECM = *in.ECM
	}
	if err := s.checkTrunk(ctx, &t); err != nil {
		return model.Trunk{}, err
	}
	if err := s.st.CreateTrunk(ctx, &t); err != nil {
		return model.Trunk{}, err
	}
	s.audit.Record(ctx, actor, model.ActionTrunkCreated, "trunk", t.ID, t.Name, "")
	return t, nil
}

// GetTrunk returns a trunk (admins only).
func (s *Service) GetTrunk(ctx context.Context, actor model.Actor, id string) (model.Trunk, error) {
	if err := adminOnly(actor); err != nil {
		return model.Trunk{}, err
	}
	return s.st.GetTrunk(ctx, id)
}

// ListTrunks lists every trunk in dialling order (admins only).
func (s *Service) ListTrunks(ctx context.Context, actor model.Actor) ([]model.Trunk, error) {
	if err := adminOnly(actor); err != nil {
		return nil, err
	}
	return s.st.ListTrunks(ctx)
}

// UpdateTrunk changes a trunk (admins only). Calls in progress keep the
// settings they started with.
func (s *Service) UpdateTrunk(ctx context.Context, actor model.Actor, id string, p TrunkPatch) (model.Trunk, error) {
	if err := adminOnly(actor); err != nil {
		return model.Trunk{}, err
	}
	t, err := s.st.GetTrunk(ctx, id)
	if err != nil {
		return model.Trunk{}, err
	}
	applyTrunkPatch(&t, p)
	if err := s.checkTrunk(ctx, &t); err != nil {
		return model.Trunk{}, err
	}
	if err := s.st.UpdateTrunk(ctx, &t); err != nil {
		return model.Trunk{}, err
	}
	s.audit.Record(ctx, actor, model.ActionTrunkUpdated, "trunk", t.ID, t.Name, "")
	return t, nil
}

func applyTrunkPatch(t *model.Trunk, p TrunkPatch) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&t.Name, p.Name)
	set(&t.Host, p.Host)
	set(&t.Transport, p.Transport)
	set(&t.Username, p.Username)
	if p.Speed != nil {
		t.Speed = *p.Speed
	}
	if p.Priority != nil {
		t.Priority = *p.Priority
	}
	if p.MaxChannels != nil {
		t.MaxChannels = *p.MaxChannels
	}
	if p.DialRules != nil {
		t.DialRules = *p.DialRules
	}
	if p.TenantIDs != nil {
		t.TenantIDs = *p.TenantIDs
	}
	if p.Enabled != nil {
		t.Enabled = *p.Enabled
	}
	if p.AllowedSources != nil {
		t.AllowedSources = *p.AllowedSources
	}
	if p.RingTimeout != nil {
		t.RingTimeout = *p.RingTimeout
	}
	if p.Port != nil {
		t.Port = *p.Port
	}
	if p.Password != nil && *p.Password != "" {
		t.Password = *p.Password
	}
	if p.ClearPassword {
		t.Password = ""
	}
	if p.Register != nil {
		t.Register = *p.Register
	}
	if p.T38 != nil {
		t.T38 = *p.T38
	}
	if p.ECM != nil {
		t.ECM = *p.ECM
	}
}

// DeleteTrunk removes a trunk (admins only). Its attempts keep its name.
// Calls in progress on it finish; queued faxes use the other trunks.
func (s *Service) DeleteTrunk(ctx context.Context, actor model.Actor, id string) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	t, err := s.st.GetTrunk(ctx, id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteTrunk(ctx, id); err != nil {
		return err
	}
	s.audit.Record(ctx, actor, model.ActionTrunkDeleted, "trunk", t.ID, t.Name, "")
	return nil
}

// checkTrunk applies defaults and validates every field.
func (s *Service) checkTrunk(ctx context.Context, t *model.Trunk) error {
	v := &model.ValidationError{}
	if n := utf8.RuneCountInString(t.Name); n < 1 || n > maxTrunkNameLen {
		v.Add("name", fmt.Sprintf("1 to %d characters", maxTrunkNameLen))
	}
	if !t.Kind.Valid() {
		v.Add("kind", "must be test or sip")
	}
	if t.Speed == "" {
		t.Speed = model.SpeedRealtime
	} else if !t.Speed.Valid() {
		v.Add("speed", "must be fast or realtime")
	}
	if t.Priority < -maxTrunkPriority || t.Priority > maxTrunkPriority {
		v.Add("priority", fmt.Sprintf("must be within ±%d", maxTrunkPriority))
	}
	if t.MaxChannels < 1 || t.MaxChannels > MaxTrunkChannels {
		v.Add("max_channels", fmt.Sprintf("must be 1 to %d", MaxTrunkChannels))
	}
	if _, err := phone.CompileRules(t.DialRules); err != nil {
		v.Add("dial_rules", err.Error())
	}
	for _, src := range t.AllowedSources {
		if !src.Submittable() {
			v.Add("allowed_sources", fmt.Sprintf("unknown source %q (web, api, email or campaign)", src))
		}
	}
	if t.RingTimeout != 0 && (t.RingTimeout < MinRingTimeout || t.RingTimeout > MaxRingTimeout) {
		v.Add("ring_timeout_s", fmt.Sprintf("must be %d to %d seconds", int(MinRingTimeout.Seconds()), int(MaxRingTimeout.Seconds())))
	}
	if t.T38 == "" {
		t.T38 = model.T38Request
	} else if !t.T38.Valid() {
		v.Add("t38", "must be off, accept, request or require")
	}
	checkSIP(t, v)
	if err := s.checkTenantIDs(ctx, t.TenantIDs, v); err != nil {
		return err
	}
	return v.OrNil()
}

// checkSIP validates the SIP fields (required for the sip kind, optional
// for the test kind, which ignores them).
func checkSIP(t *model.Trunk, v *model.ValidationError) {
	if t.Kind == model.TrunkSIP && t.Host == "" {
		v.Add("host", "required for SIP trunks")
	}
	if len(t.Host) > maxTrunkHostLength || strings.ContainsAny(t.Host, " /@?#") {
		v.Add("host", "must be a host name or IP address")
	}
	if t.Port == 0 && t.Kind == model.TrunkSIP {
		t.Port = defaultSIPPort
	} else if t.Port < 0 || t.Port > 65535 {
		v.Add("port", "must be 1 to 65535")
	}
	t.Transport = strings.ToLower(t.Transport)
	switch t.Transport {
	case "":
		if t.Kind == model.TrunkSIP {
			t.Transport = "udp"
		}
	case "udp", "tcp", "tls":
	default:
		v.Add("transport", "must be udp, tcp or tls")
	}
	if len(t.Username) > maxCredentialLen {
		v.Add("username", fmt.Sprintf("at most %d characters", maxCredentialLen))
	}
	if len(t.Password) > maxCredentialLen {
		v.Add("password", fmt.Sprintf("at most %d characters", maxCredentialLen))
	}
}

// checkTenantIDs makes sure every listed tenant exists.
func (s *Service) checkTenantIDs(ctx context.Context, ids []string, v *model.ValidationError) error {
	for _, id := range ids {
		if _, err := s.st.GetTenant(ctx, model.PlatformScope(), id); errors.Is(err, model.ErrNotFound) {
			v.Add("tenant_ids", "no such tenant: "+id)
		} else if err != nil {
			return err
		}
	}
	return nil
}
