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
	FaxSources     []string  `json:"fax_sources" api:"required" doc:"Fax sources (web, api, email, campaign) that may use the trunk; empty: every source."`
	AllowedSources []string  `json:"allowed_sources" api:"required" doc:"SIP: IPs or CIDR prefixes inbound calls may come from (others get 403); empty: the host's addresses."`
	RingTimeoutS   int       `json:"ring_timeout_s" api:"required"`
	Host           string    `json:"host" api:"required"`
	Port           int       `json:"port" api:"required"`
	Transport      string    `json:"transport" api:"required"`
	Username       string    `json:"username" api:"required"`
	HasPassword    bool      `json:"has_password" api:"required,readonly"`
	Register       bool      `json:"register" api:"required"`
	T38            string    `json:"t38" api:"required"`
	ECM            bool      `json:"ecm" api:"required"`
	OutboundProxy  string    `json:"outbound_proxy" api:"required" doc:"SIP: host[:port] that receives the INVITEs instead of host; empty: none."`
	CallerIDFormat string    `json:"caller_id_format" api:"required" enum:"e164,digits" doc:"SIP: caller ID in From as E.164 with + (e164) or without (digits)."`
	PAI            bool      `json:"p_asserted_identity" api:"required" doc:"SIP: add P-Asserted-Identity with the caller ID."`
	Codecs         []string  `json:"codecs" api:"required" doc:"SIP: G.711 codecs offered, in order of preference (PCMU, PCMA)."`
	V17            bool      `json:"v17" api:"required" doc:"Allow V.17 (14400 bit/s); off tops calls out at 9600."`
	Redundancy     int       `json:"udptl_redundancy" api:"required" doc:"T.38 UDPTL redundancy depth, 0 (none) to 8."`
	MaxDatagram    int       `json:"t38_max_datagram" api:"required" doc:"T38FaxMaxDatagram we declare, 160 to 1472 bytes."`
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
	FaxSources     *[]string  `json:"fax_sources,omitempty"`
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
	OutboundProxy  *string    `json:"outbound_proxy,omitempty"`
	CallerIDFormat *string    `json:"caller_id_format,omitempty" enum:"e164,digits"`
	PAI            *bool      `json:"p_asserted_identity,omitempty"`
	Codecs         *[]string  `json:"codecs,omitempty"`
	V17            *bool      `json:"v17,omitempty"`
	Redundancy     *int       `json:"udptl_redundancy,omitempty"`
	MaxDatagram    *int       `json:"t38_max_datagram,omitempty"`
}

// TrunkList is every trunk in dialling order.
type TrunkList struct {
	Items []Trunk `json:"items" api:"required"`
}

func trunkDTO(t model.Trunk) Trunk {
	d := Trunk{ID: t.ID, Name: t.Name, Kind: string(t.Kind), Speed: string(t.Speed), Priority: t.Priority,
		MaxChannels: t.MaxChannels, DialRules: dialRulesDTO(t.DialRules), TenantIDs: nonNil(t.TenantIDs),
		Enabled: t.Enabled, FaxSources: []string{}, AllowedSources: nonNil(t.AllowedSources),
		RingTimeoutS: int(t.RingTimeout / time.Second), Host: t.Host, Port: t.Port, Transport: t.Transport,
		Username: t.Username, HasPassword: t.Password != "", Register: t.Register, T38: string(t.T38), ECM: t.ECM,
		OutboundProxy: t.OutboundProxy, CallerIDFormat: string(t.CallerIDFormat), PAI: t.PAI,
		Codecs: nonNil(t.Codecs), V17: t.V17, Redundancy: t.UDPTLRedundancy, MaxDatagram: t.T38MaxDatagram,
		CreatedAt: utc(t.CreatedAt), UpdatedAt: utc(t.UpdatedAt)}
	for _, s := range t.FaxSources {
		d.FaxSources = append(d.FaxSources, string(s))
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
		TenantIDs: deref(in.TenantIDs), Enabled: in.Enabled, FaxSources: sources(deref(in.FaxSources)),
		AllowedSources: deref(in.AllowedSources), RingTimeout: time.Duration(deref(in.RingTimeoutS)) * time.Second,
		Host: deref(in.Host), Port: deref(in.Port), Transport: deref(in.Transport), Username: deref(in.Username),
		Password: deref(in.Password), Register: deref(in.Register), T38: model.T38Policy(deref(in.T38)), ECM: in.ECM,
		OutboundProxy: deref(in.OutboundProxy), CallerIDFormat: model.CallerIDFormat(deref(in.CallerIDFormat)),
		PAI: deref(in.PAI), Codecs: deref(in.Codecs), V17: in.V17, UDPTLRedundancy: in.Redundancy,
		T38MaxDatagram: deref(in.MaxDatagram)}
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
		ECM: in.ECM, AllowedSources: in.AllowedSources, OutboundProxy: in.OutboundProxy, PAI: in.PAI,
		Codecs: in.Codecs, V17: in.V17, UDPTLRedundancy: in.Redundancy, T38MaxDatagram: in.MaxDatagram}
	if in.Speed != nil {
		s := model.TrunkSpeed(*in.Speed)
		p.Speed = &s
	}
	if in.DialRules != nil {
		dr := in.DialRules.model()
		p.DialRules = &dr
	}
	if in.FaxSources != nil {
		s := sources(*in.FaxSources)
		p.FaxSources = &s
	}
	if in.CallerIDFormat != nil {
		f := model.CallerIDFormat(*in.CallerIDFormat)
		p.CallerIDFormat = &f
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
