package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
)

// trunkTextFields are the single-valued inputs of the trunk form (the
// API's field names); tenant_ids and fax_sources are multi-valued and
// kept comma-joined; allowed_sources is one address per line.
var trunkTextFields = []string{"name", "kind", "speed", "priority", "max_channels", "ring_timeout_s", "enabled",
	"host", "port", "transport", "username", "password", "clear_password", "register", "t38", "ecm",
	"dial_allow", "dial_deny", "dial_rewrites", "allowed_sources", "outbound_proxy", "caller_id_format",
	"p_asserted_identity", "codecs", "v17", "udptl_redundancy", "t38_max_datagram"}

// trunkFormData is the data of the add/edit trunk page.
type trunkFormData struct {
	Trunk      model.Trunk // zero when adding
	Editing    bool
	Kinds      []option
	Speeds     []option
	Transports []option
	T38        []option
	CallerID   []option
	Codecs     []option
	Tenants    []checkOption
	Sources    []checkOption
}

// checkOption is one checkbox of a multi-valued field.
type checkOption struct {
	Value, Label string
	Checked      bool
}

// trunkView is a trunk as the list shows it.
type trunkView struct {
	model.Trunk
	TenantNames  string // "All tenants" or the names
	InUse        int    // channels in use now (trunk list)
	Registration *faxout.TrunkRegistration
}

// KindLabel names the trunk kind.
func (t trunkView) KindLabel() string {
	if t.Kind == model.TrunkTest {
		return "Test line (" + string(t.Speed) + ")"
	}
	return "SIP " + t.Host + portSuffix(t.Port) + " " + strings.ToUpper(t.Transport)
}

func portSuffix(p int) string {
	if p == 0 {
		return ""
	}
	return ":" + strconv.Itoa(p)
}

func trunkOptions() (kinds, speeds, transports, t38 []option) {
	kinds = []option{{string(model.TrunkTest), "Test line (simulated fax machine)"}, {string(model.TrunkSIP), "SIP trunk"}}
	speeds = []option{{string(model.SpeedFast), "Fast (simulated time)"}, {string(model.SpeedRealtime), "Real time"}}
	transports = []option{{"udp", "UDP"}, {"tcp", "TCP"}, {"tls", "TLS"}}
	t38 = []option{{string(model.T38Off), "Off: audio (G.711) only"}, {string(model.T38Accept), "Accept: when the far end asks"},
		{string(model.T38Request), "Request: ask, fall back to audio"}, {string(model.T38Require), "Require: T.38 only"}}
	return
}

// trunkSIPOptions are the choices of the caller-ID format and codec order.
func trunkSIPOptions() (callerID, codecs []option) {
	callerID = []option{{string(model.CallerIDE164), "E.164 with + (+15551234567)"},
		{string(model.CallerIDDigits), "E.164 without + (15551234567)"}}
	codecs = []option{{"PCMU,PCMA", "PCMU, then PCMA"}, {"PCMA,PCMU", "PCMA, then PCMU"}, {"PCMU", "PCMU only"},
		{"PCMA", "PCMA only"}}
	return
}

// trunkFormFrom reads the posted trunk form.
func trunkFormFrom(r *http.Request) *form {
	f := formFrom(r, trunkTextFields...)
	f.Set("tenant_ids", strings.Join(r.PostForm["tenant_ids"], ","))
	f.Set("fax_sources", strings.Join(r.PostForm["fax_sources"], ","))
	return f
}

// trunkForm is the edit form filled with t (the password is never shown).
func trunkForm(t model.Trunk) *form {
	f := newForm()
	f.Set("name", t.Name)
	f.Set("kind", string(t.Kind))
	f.Set("speed", string(t.Speed))
	f.Set("priority", itoa(t.Priority))
	f.Set("max_channels", itoa(t.MaxChannels))
	if t.RingTimeout > 0 {
		f.Set("ring_timeout_s", itoa(int(t.RingTimeout/time.Second)))
	}
	f.Set("enabled", checked(t.Enabled))
	f.Set("host", t.Host)
	if t.Port > 0 {
		f.Set("port", itoa(t.Port))
	}
	f.Set("transport", t.Transport)
	f.Set("username", t.Username)
	f.Set("register", checked(t.Register))
	f.Set("t38", string(t.T38))
	f.Set("ecm", checked(t.ECM))
	f.Set("dial_allow", strings.Join(t.DialRules.Allow, "\n"))
	f.Set("dial_deny", strings.Join(t.DialRules.Deny, "\n"))
	var rw []string
	for _, x := range t.DialRules.Rewrites {
		rw = append(rw, strings.TrimSpace(x.Strip+" "+x.Add))
	}
	f.Set("dial_rewrites", strings.Join(rw, "\n"))
	f.Set("tenant_ids", strings.Join(t.TenantIDs, ","))
	var src []string
	for _, s := range t.FaxSources {
		src = append(src, string(s))
	}
	f.Set("fax_sources", strings.Join(src, ","))
	trunkSIPForm(f, t)
	return f
}

// trunkSIPForm fills the SIP call options and inbound sources of t.
func trunkSIPForm(f *form, t model.Trunk) {
	f.Set("allowed_sources", strings.Join(t.AllowedSources, "\n"))
	f.Set("outbound_proxy", t.OutboundProxy)
	f.Set("caller_id_format", string(t.CallerIDFormat))
	f.Set("p_asserted_identity", checked(t.PAI))
	f.Set("codecs", strings.Join(t.Codecs, ","))
	f.Set("v17", checked(t.V17))
	f.Set("udptl_redundancy", itoa(t.UDPTLRedundancy))
	if t.T38MaxDatagram > 0 {
		f.Set("t38_max_datagram", itoa(t.T38MaxDatagram))
	}
}

func checked(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// maxDialLines bounds each dial rule list of the form.
const maxDialLines = 100

// dialRules reads the three rule lists (one per line); a rewrite line is
// "STRIP ADD" or "STRIP" alone. Errors go on f.
func dialRules(f *form) model.DialRules {
	lines := func(name string) []string {
		var out []string
		for l := range strings.Lines(f.Get(name)) {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		if len(out) > maxDialLines {
			f.Invalid(name, fmt.Sprintf("at most %d lines", maxDialLines))
		}
		return out
	}
	rules := model.DialRules{Allow: lines("dial_allow"), Deny: lines("dial_deny")}
	for _, l := range lines("dial_rewrites") {
		parts := strings.Fields(l)
		if len(parts) > 2 {
			f.Invalid("dial_rewrites", fmt.Sprintf("%q: write the prefix to strip, a space, and the prefix to add", l))
			continue
		}
		rw := model.Rewrite{Strip: parts[0]}
		if len(parts) == 2 {
			rw.Add = parts[1]
		}
		rules.Rewrites = append(rules.Rewrites, rw)
	}
	return rules
}

// splitList splits a comma-joined form value.
func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func fieldSources(f *form) []model.FaxSource {
	out := []model.FaxSource{}
	for _, s := range splitList(f.Get("fax_sources")) {
		out = append(out, model.FaxSource(s))
	}
	return out
}

// addressLines reads the inbound source addresses: one per line (commas
// and spaces separate too); the service validates each.
func addressLines(f *form) []string {
	out := strings.FieldsFunc(f.Get("allowed_sources"), func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	if len(out) > faxout.MaxAllowedSources {
		f.Invalid("allowed_sources", fmt.Sprintf("at most %d addresses", faxout.MaxAllowedSources))
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// optionalInt parses a number field that may be empty (0).
func optionalInt(f *form, name string) int {
	if p := f.intField(name); p != nil {
		return *p
	}
	return 0
}

// trunkInput turns the add form into service input.
func trunkInput(f *form) faxout.TrunkInput {
	return faxout.TrunkInput{Name: f.Get("name"), Kind: model.TrunkKind(f.Get("kind")),
		Speed: model.TrunkSpeed(f.Get("speed")), Priority: optionalInt(f, "priority"),
		MaxChannels: optionalInt(f, "max_channels"), DialRules: dialRules(f), TenantIDs: splitList(f.Get("tenant_ids")),
		Enabled: ptr(f.Get("enabled") == "on"), FaxSources: fieldSources(f), AllowedSources: addressLines(f),
		RingTimeout: time.Duration(optionalInt(f, "ring_timeout_s")) * time.Second, Host: f.Get("host"),
		Port: optionalInt(f, "port"), Transport: f.Get("transport"), Username: f.Get("username"),
		Password: f.Get("password"), Register: f.Get("register") == "on", T38: model.T38Policy(f.Get("t38")),
		ECM: ptr(f.Get("ecm") == "on"), OutboundProxy: f.Get("outbound_proxy"),
		CallerIDFormat: model.CallerIDFormat(f.Get("caller_id_format")), PAI: f.Get("p_asserted_identity") == "on",
		Codecs: splitList(f.Get("codecs")), V17: ptr(f.Get("v17") == "on"), UDPTLRedundancy: f.intField("udptl_redundancy"),
		T38MaxDatagram: optionalInt(f, "t38_max_datagram")}
}

// trunkPatch turns the edit form into a change of every field (the kind
// stays; an empty password keeps the stored one).
func trunkPatch(f *form) faxout.TrunkPatch {
	in := trunkInput(f)
	return faxout.TrunkPatch{Name: &in.Name, Speed: &in.Speed, Priority: &in.Priority, MaxChannels: &in.MaxChannels,
		DialRules: &in.DialRules, TenantIDs: &in.TenantIDs, Enabled: in.Enabled, FaxSources: &in.FaxSources,
		AllowedSources: &in.AllowedSources, RingTimeout: &in.RingTimeout, Host: &in.Host, Port: &in.Port,
		Transport: &in.Transport, Username: &in.Username, Password: &in.Password,
		ClearPassword: f.Get("clear_password") == "on", Register: &in.Register, T38: &in.T38, ECM: in.ECM,
		OutboundProxy: &in.OutboundProxy, CallerIDFormat: &in.CallerIDFormat, PAI: &in.PAI, Codecs: &in.Codecs,
		V17: in.V17, UDPTLRedundancy: in.UDPTLRedundancy, T38MaxDatagram: &in.T38MaxDatagram}
}

// renderTrunkForm shows the add or edit form with values and errors.
func (h *Handler) renderTrunkForm(w http.ResponseWriter, r *http.Request, status int, f *form, t model.Trunk) {
	title := "Add trunk"
	if t.ID != "" {
		title = "Edit trunk " + t.Name
	}
	d := trunkFormData{Trunk: t, Editing: t.ID != ""}
	d.Kinds, d.Speeds, d.Transports, d.T38 = trunkOptions()
	d.CallerID, d.Codecs = trunkSIPOptions()
	tenants, err := h.tenantOptions(r.Context(), actorOf(r), "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	chosen := splitList(f.Get("tenant_ids"))
	for _, o := range tenants[1:] {
		d.Tenants = append(d.Tenants, checkOption{o.Value, o.Label, slices.Contains(chosen, o.Value)})
	}
	srcs := splitList(f.Get("fax_sources"))
	for _, s := range []model.FaxSource{model.SourceWeb, model.SourceAPI, model.SourceEmail, model.SourceCampaign} {
		d.Sources = append(d.Sources, checkOption{string(s), sourceLabel(s), slices.Contains(srcs, string(s))})
	}
	v := h.newView(w, r, title, "trunks")
	v.Form = f
	v.Data = d
	h.render(w, r, status, "trunk_form", v)
}

func sourceLabel(s model.FaxSource) string {
	switch s {
	case model.SourceWeb:
		return "Portal"
	case model.SourceAPI:
		return "REST API"
	case model.SourceEmail:
		return "Email to fax"
	case model.SourceCampaign:
		return "Campaigns"
	}
	return string(s)
}

// loadTrunk reads the {id} trunk; 404 when missing.
func (h *Handler) loadTrunk(w http.ResponseWriter, r *http.Request) (model.Trunk, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixTrunk, id) {
		h.notFoundPage(w, r)
		return model.Trunk{}, false
	}
	t, err := h.fax.GetTrunk(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return model.Trunk{}, false
	}
	return t, true
}

// tenantNames lists the names of the trunk's tenants.
func tenantNames(names func(string) string, ids []string) string {
	if len(ids) == 0 {
		return "All tenants"
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = names(id)
	}
	return strings.Join(out, ", ")
}
