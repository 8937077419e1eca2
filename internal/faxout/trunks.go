package faxout

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
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
	defaultSIPTLSPort  = 5061
	maxTrunkPriority   = 1_000_000
	maxTrunkHostLength = 253
	// MaxAllowedSources bounds a trunk's inbound address list.
	MaxAllowedSources = 100
	// MaxUDPTLRedundancy bounds the redundancy depth: deeper repeats only
	// grow datagrams past what carriers accept.
	MaxUDPTLRedundancy = 8
	// T38FaxMaxDatagram bounds: below 160 bytes the 14400 bit/s data
	// packets leave no room for redundancy; 1472 is the largest UDP
	// payload that crosses Ethernet unfragmented.
	MinT38MaxDatagram = 160
	MaxT38MaxDatagram = 1472
)

// TrunkInput creates a trunk. Zero values take defaults: speed realtime
// (test kind), transport udp and port 5060 (SIP kind), T.38 request,
// caller ID E.164 with "+", codecs PCMU then PCMA, T.38 max datagram 400.
// Enabled, ECM and V17 default to true and UDPTLRedundancy to 3 when nil.
type TrunkInput struct {
	Name        string
	Kind        model.TrunkKind
	Speed       model.TrunkSpeed
	Priority    int
	MaxChannels int
	DialRules   model.DialRules
	TenantIDs   []string
	Enabled     *bool
	// FaxSources are the fax sources that may use the trunk (empty: all).
	FaxSources  []model.FaxSource
	RingTimeout time.Duration
	Host        string
	Port        int
	Transport   string
	Username    string
	Password    string
	Register    bool
	T38         model.T38Policy
	ECM         *bool
	// AllowedSources are the IPs/CIDRs inbound calls may come from (SIP
	// kind; empty: the host's addresses).
	AllowedSources  []string
	OutboundProxy   string
	CallerIDFormat  model.CallerIDFormat
	PAI             bool
	Codecs          []string
	V17             *bool
	UDPTLRedundancy *int
	T38MaxDatagram  int
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
	FaxSources     *[]model.FaxSource
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
	AllowedSources *[]string
	OutboundProxy  *string
	CallerIDFormat *model.CallerIDFormat
	PAI            *bool
	Codecs         *[]string
	V17            *bool
	// UDPTLRedundancy and T38MaxDatagram are the T.38 settings.
	UDPTLRedundancy *int
	T38MaxDatagram  *int
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
		FaxSources: in.FaxSources, AllowedSources: in.AllowedSources, RingTimeout: in.RingTimeout,
		Host: strings.TrimSpace(in.Host), Port: in.Port, Transport: in.Transport, Username: in.Username,
		Password: in.Password, Register: in.Register, T38: in.T38, ECM: true,
		OutboundProxy: strings.TrimSpace(in.OutboundProxy), CallerIDFormat: in.CallerIDFormat, PAI: in.PAI,
		Codecs: in.Codecs, V17: true, UDPTLRedundancy: model.DefaultUDPTLRedundancy, T38MaxDatagram: in.T38MaxDatagram}
	setPtr(&t.Enabled, in.Enabled)
	setPtr(&t.ECM, in.ECM)
	setPtr(&t.V17, in.V17)
	setPtr(&t.UDPTLRedundancy, in.UDPTLRedundancy)
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
	set(&t.OutboundProxy, p.OutboundProxy)
	setPtr(&t.Speed, p.Speed)
	setPtr(&t.Priority, p.Priority)
	setPtr(&t.MaxChannels, p.MaxChannels)
	setPtr(&t.DialRules, p.DialRules)
	setPtr(&t.TenantIDs, p.TenantIDs)
	setPtr(&t.Enabled, p.Enabled)
	setPtr(&t.FaxSources, p.FaxSources)
	setPtr(&t.AllowedSources, p.AllowedSources)
	setPtr(&t.RingTimeout, p.RingTimeout)
	setPtr(&t.Port, p.Port)
	setPtr(&t.Register, p.Register)
	setPtr(&t.T38, p.T38)
	setPtr(&t.ECM, p.ECM)
	setPtr(&t.CallerIDFormat, p.CallerIDFormat)
	setPtr(&t.PAI, p.PAI)
	setPtr(&t.Codecs, p.Codecs)
	setPtr(&t.V17, p.V17)
	setPtr(&t.UDPTLRedundancy, p.UDPTLRedundancy)
	setPtr(&t.T38MaxDatagram, p.T38MaxDatagram)
	if p.Password != nil && *p.Password != "" {
		t.Password = *p.Password
	}
	if p.ClearPassword {
		t.Password = ""
	}
}

// setPtr sets *dst to *v when v is not nil (a patch field that is given).
func setPtr[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
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
	for _, src := range t.FaxSources {
		if !src.Submittable() {
			v.Add("fax_sources", fmt.Sprintf("unknown source %q (web, api, email or campaign)", src))
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
	checkSIPMedia(t, v)
	checkAllowedSources(t, v)
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
	if t.Port == 0 && t.Kind == model.TrunkSIP {
		t.Port = defaultSIPPort
		if t.Transport == "tls" {
			t.Port = defaultSIPTLSPort
		}
	} else if t.Port < 0 || t.Port > 65535 {
		v.Add("port", "must be 1 to 65535")
	}
	if len(t.Username) > maxCredentialLen {
		v.Add("username", fmt.Sprintf("at most %d characters", maxCredentialLen))
	}
	if len(t.Password) > maxCredentialLen {
		v.Add("password", fmt.Sprintf("at most %d characters", maxCredentialLen))
	}
}

// checkSIPMedia applies the defaults of the SIP call settings and
// validates them (the test kind stores them too, unused).
func checkSIPMedia(t *model.Trunk, v *model.ValidationError) {
	if t.OutboundProxy != "" && !validHostPort(t.OutboundProxy) {
		v.Add("outbound_proxy", "must be host or host:port (IPv6 in brackets), port 1 to 65535")
	}
	if t.CallerIDFormat == "" {
		t.CallerIDFormat = model.CallerIDE164
	} else if !t.CallerIDFormat.Valid() {
		v.Add("caller_id_format", "must be e164 (with +) or digits (E.164 without +)")
	}
	if len(t.Codecs) == 0 {
		t.Codecs = model.DefaultCodecs
	}
	t.Codecs = slices.Clone(t.Codecs) // not the caller's slice, nor the default
	for i, c := range t.Codecs {
		t.Codecs[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	if !validCodecs(t.Codecs) {
		v.Add("codecs", "PCMU and/or PCMA, each once, in order of preference")
	}
	if t.UDPTLRedundancy < 0 || t.UDPTLRedundancy > MaxUDPTLRedundancy {
		v.Add("udptl_redundancy", fmt.Sprintf("must be 0 (none) to %d", MaxUDPTLRedundancy))
	}
	if t.T38MaxDatagram == 0 {
		t.T38MaxDatagram = model.DefaultT38MaxDatagram
	} else if t.T38MaxDatagram < MinT38MaxDatagram || t.T38MaxDatagram > MaxT38MaxDatagram {
		v.Add("t38_max_datagram", fmt.Sprintf("must be %d to %d bytes", MinT38MaxDatagram, MaxT38MaxDatagram))
	}
}

// validCodecs reports whether every codec is a known G.711 one, once.
func validCodecs(cs []string) bool {
	seen := map[string]bool{}
	for _, c := range cs {
		if !slices.Contains(model.DefaultCodecs, c) || seen[c] {
			return false
		}
		seen[c] = true
	}
	return true
}

// validHostPort accepts "host" or "host:port" with a host name or IP.
func validHostPort(s string) bool {
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else if strings.Count(s, ":") > 1 || strings.HasPrefix(s, "[") {
		return false // IPv6 needs brackets and a port
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	return validHostName(host)
}

// validHostName accepts DNS names: letters, digits, hyphens and dots.
func validHostName(h string) bool {
	if h == "" || len(h) > maxTrunkHostLength {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// checkAllowedSources validates and canonicalises the inbound source
// addresses: an IP (or a prefix of one address) is written as the IP,
// a CIDR in its masked form ("192.0.2.7/24" is "192.0.2.0/24"). Only SIP trunks take calls in.
func checkAllowedSources(t *model.Trunk, v *model.ValidationError) {
	if len(t.AllowedSources) == 0 {
		return
	}
	if t.Kind != model.TrunkSIP {
		v.Add("allowed_sources", "only SIP trunks take inbound calls (fax sources are set in fax_sources)")
		return
	}
	if len(t.AllowedSources) > MaxAllowedSources {
		v.Add("allowed_sources", fmt.Sprintf("at most %d addresses", MaxAllowedSources))
		return
	}
	out := make([]string, 0, len(t.AllowedSources))
	for _, s := range t.AllowedSources {
		p, err := ParseSourcePrefix(s)
		if err != nil {
			msg := fmt.Sprintf("%q is not an IP address or CIDR prefix (e.g. 192.0.2.10 or 192.0.2.0/24)", clip(s, 60))
			if model.FaxSource(s).Submittable() {
				msg += "; the fax sources web, api, email and campaign are set in fax_sources"
			}
			v.Add("allowed_sources", msg)
			continue
		}
		c := p.String()
		if p.IsSingleIP() {
			c = p.Addr().String()
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	t.AllowedSources = out
}

// ParseSourcePrefix reads an inbound source: an IP address (a prefix of
// one address) or a CIDR prefix, masked to its network.
func ParseSourcePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
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
