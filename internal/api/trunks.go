package api

import (
	"net/http"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

// DialRewrite replaces a leading Strip of the E.164 number by Add.
type DialRewrite struct {
	Strip string `json:"strip" api:"required"`
	Add   string `json:"add" api:"required"`
}

// DialRules decide which numbers a trunk dials and how.
type DialRules struct {
	Allow    []string      `json:"allow" doc:"Patterns a number must match (empty: every number)."`
	Deny     []string      `json:"deny" doc:"Patterns never dialled; checked first."`
	Rewrites []DialRewrite `json:"rewrites" doc:"First matching prefix rewrite applies."`
}

// Trunk is an outbound line (admins only). The SIP password is write-only.
type Trunk struct {
	ID             string    `json:"id" api:"required,readonly"`
	Name           string    `json:"name" api:"required"`
	Kind           string    `json:"kind" api:"required" enum:"test,sip"`
	Speed          string    `json:"speed" api:"required" enum:"fast,realtime,"`
	Priority       int       `json:"priority" api:"required" doc:"Lowest is tried first."`
	MaxChannels    int       `json:"max_channels" api:"required"`
	DialRules      DialRules `json:"dial_rules" api:"required"`
	TenantIDs      []string  `json:"tenant_ids" api:"required" doc:"Empty: every tenant."`
	Enabled        bool      `json:"enabled" api:"required"`
	AllowedSources []string  `json:"allowed_sources" api:"required" doc:"Empty: every source."`
	RingTimeoutS   int       `json:"ring_timeout_s" api:"required"`
	Host           string    `json:"host" api:"required"`
	Port           int       `json:"port" api:"required"`
	Transport      string    `json:"transport" api:"required"`
	Username       string    `json:"username" api:"required"`
	HasPassword    bool      `json:"has_password" api:"required,readonly"`
	Register       bool      `json:"register" api:"required"`
	T38            string    `json:"t38" api:"required"`
	ECM            bool      `json:"ecm" api:"required"`
	CreatedAt      time.Time `json:"created_at" api:"required,readonly"`
	UpdatedAt      time.Time `json:"updated_at" api:"required,readonly"`
	// Registration is present on SIP trunks with register on, as this node
	// last saw it.
	Registration *TrunkRegistration `json:"registration,omitempty"`
}

// TrunkRegistration is the REGISTER state of a SIP trunk.
type TrunkRegistration struct {
	State    string     `json:"state" api:"required,readonly" enum:"registering,registered,failed"`
	Status   int        `json:"status" api:"required,readonly" doc:"Last final SIP status (0: none)."`
	Error    string     `json:"error" api:"required,readonly"`
	ExpiresS int        `json:"expires_s" api:"required,readonly" doc:"Lifetime granted by the registrar."`
	At       *time.Time `json:"at" api:"required,readonly" doc:"When the last outcome came."`
	Next     *time.Time `json:"next" api:"required,readonly" doc:"When the next REGISTER goes out."`
}

// TrunkInput creates a trunk (POST) or changes it (PATCH: absent fields keep their value).
type TrunkInput struct {
	Name           *string    `json:"name,omitempty"`
	Kind           string     `json:"kind,omitempty" enum:"test,sip" doc:"Create only."`
	Speed          *string    `json:"speed,omitempty" enum:"fast,realtime"`
	Priority       *int       `json:"priority,omitempty"`
	MaxChannels    *int       `json:"max_channels,omitempty"`
	DialRules      *DialRules `json:"dial_rules,omitempty"`
	TenantIDs      *[]string  `json:"tenant_ids,omitempty"`
	Enabled        *bool      `json:"enabled,omitempty"`
	AllowedSources *[]string  `json:"allowed_sources,omitempty"`
	RingTimeoutS   *int       `json:"ring_timeout_s,omitempty"`
	Host           *string    `json:"host,omitempty"`
	Port           *int       `json:"port,omitempty"`
	Transport      *string    `json:"transport,omitempty"`
	Username       *string    `json:"username,omitempty"`
	Password       *string    `json:"password,omitempty" doc:"Write-only. PATCH: empty keeps the stored one."`
	ClearPassword  bool       `json:"clear_password,omitempty" doc:"PATCH: remove the stored password."`
	Register       *bool      `json:"register,omitempty"`
	T38            *string    `json:"t38,omitempty" enum:"off,accept,request,require"`
	ECM            *bool      `json:"ecm,omitempty"`
}

// TrunkList is every trunk in dialling order.
type TrunkList struct {
	Items []Trunk `json:"items" api:"required"`
}

func trunkDTO(t model.Trunk) Trunk {
	d := Trunk{ID: t.ID, Name: t.Name, Kind: string(t.Kind), Speed: string(t.Speed), Priority: t.Priority,
		MaxChannels: t.MaxChannels, DialRules: dialRulesDTO(t.DialRules), TenantIDs: nonNil(t.TenantIDs),
		Enabled: t.Enabled, AllowedSources: []string{}, RingTimeoutS: int(t.RingTimeout / time.Second),
		Host: t.Host, Port: t.Port, Transport: t.Transport, Username: t.Username, HasPassword: t.Password != "",
		Register: t.Register, T38: string(t.T38), ECM: t.ECM, CreatedAt: utc(t.CreatedAt), UpdatedAt: utc(t.UpdatedAt)}
	for _, s := range t.AllowedSources {
		d.AllowedSources = append(d.AllowedSources, string(s))
	}
	return d
}

// trunkOut is trunkDTO with the trunk's registration state, if any.
func (a *API) trunkOut(t model.Trunk) Trunk {
	d := trunkDTO(t)
	if a.d.SIPRegistration == nil || t.Kind != model.TrunkSIP || !t.Register {
		return d
	}
	if r, ok := a.d.SIPRegistration(t.ID); ok {
		d.Registration = &TrunkRegistration{State: r.State, Status: r.Status, Error: r.Error,
			ExpiresS: int(r.Expires / time.Second), At: timePtr(r.At), Next: timePtr(r.Next)}
	}
	return d
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func dialRulesDTO(r model.DialRules) DialRules {
	d := DialRules{Allow: nonNil(r.Allow), Deny: nonNil(r.Deny), Rewrites: []DialRewrite{}}
	for _, w := range r.Rewrites {
		d.Rewrites = append(d.Rewrites, DialRewrite{Strip: w.Strip, Add: w.Add})
	}
	return d
}

func (r DialRules) model() model.DialRules {
	m := model.DialRules{Allow: r.Allow, Deny: r.Deny}
	for _, w := range r.Rewrites {
		m.Rewrites = append(m.Rewrites, model.Rewrite{Strip: w.Strip, Add: w.Add})
	}
	return m
}

func sources(s []string) []model.FaxSource {
	out := make([]model.FaxSource, len(s))
	for i, v := range s {
		out[i] = model.FaxSource(v)
	}
	return out
}

func deref[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}

func (a *API) listTrunks(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	ts, err := a.d.Faxout.ListTrunks(r.Context(), actor)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, TrunkList{Items: nonNil(mapSlice(ts, a.trunkOut))})
	return nil
}

func (a *API) createTrunk(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in TrunkInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	ti := faxout.TrunkInput{Name: deref(in.Name), Kind: model.TrunkKind(in.Kind),
		Speed: model.TrunkSpeed(deref(in.Speed)), Priority: deref(in.Priority), MaxChannels: deref(in.MaxChannels),
		TenantIDs: deref(in.TenantIDs), Enabled: in.Enabled, AllowedSources: sources(deref(in.AllowedSources)),
		RingTimeout: time.Duration(deref(in.RingTimeoutS)) * time.Second, Host: deref(in.Host), Port: deref(in.Port),
		Transport: deref(in.Transport), Username: deref(in.Username), Password: deref(in.Password),
		Register: deref(in.Register), T38: model.T38Policy(deref(in.T38)), ECM: in.ECM}
	if in.DialRules != nil {
		ti.DialRules = in.DialRules.model()
	}
	t, err := a.d.Faxout.CreateTrunk(r.Context(), actor, ti)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/trunks/"+t.ID)
	httpx.WriteJSON(w, http.StatusCreated, trunkDTO(t))
	return nil
}

func (a *API) getTrunk(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	t, err := a.d.Faxout.GetTrunk(r.Context(), actor, pathID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.trunkOut(t))
	return nil
}

func (a *API) patchTrunk(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	var in TrunkInput
	if err := httpx.DecodeJSON(w, r, &in, 0); err != nil {
		return err
	}
	if in.Kind != "" {
		return &httpx.BadRequestError{Message: "a trunk's kind cannot change", Field: "kind"}
	}
	p := faxout.TrunkPatch{Name: in.Name, Priority: in.Priority, MaxChannels: in.MaxChannels,
		TenantIDs: in.TenantIDs, Enabled: in.Enabled, Host: in.Host, Port: in.Port, Transport: in.Transport,
		Username: in.Username, Password: in.Password, ClearPassword: in.ClearPassword, Register: in.Register,
		ECM: in.ECM}
	if in.Speed != nil {
		s := model.TrunkSpeed(*in.Speed)
		p.Speed = &s
	}
	if in.DialRules != nil {
		dr := in.DialRules.model()
		p.DialRules = &dr
	}
	if in.AllowedSources != nil {
		s := sources(*in.AllowedSources)
		p.AllowedSources = &s
	}
	if in.RingTimeoutS != nil {
		d := time.Duration(*in.RingTimeoutS) * time.Second
		p.RingTimeout = &d
	}
	if in.T38 != nil {
		t := model.T38Policy(*in.T38)
		p.T38 = &t
	}
	t, err := a.d.Faxout.UpdateTrunk(r.Context(), actor, pathID(r), p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.trunkOut(t))
	return nil
}

func (a *API) deleteTrunk(w http.ResponseWriter, r *http.Request, actor model.Actor) error {
	if err := a.d.Faxout.DeleteTrunk(r.Context(), actor, pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
