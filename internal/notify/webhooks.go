package notify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"faxgate/internal/audit"
	"faxgate/internal/jobs"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Webhooks manages tenants' webhook endpoints, publishes events to them and
// shows the delivery log.
//
// Permissions: platform admins manage every tenant's endpoints; tenant
// admins manage their own tenant's; users have no access (ErrForbidden):
// endpoints are tenant settings and carry signing secrets. Another tenant's
// endpoint or delivery is model.ErrNotFound.
type Webhooks struct {
	st    *store.Store
	jobs  jobs.Inserter
	audit *audit.Service
	cfg   WebhookConfig
	guard guard
}

// NewWebhooks returns the webhook service. ins enqueues delivery jobs (the
// workers are registered with AddWebhookWorkers); au may be nil (no audit).
func NewWebhooks(st *store.Store, ins jobs.Inserter, au *audit.Service, cfg WebhookConfig) (*Webhooks, error) {
	if st == nil || ins == nil {
		return nil, errors.New("notify: a store and a job inserter are required")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Webhooks{st: st, jobs: ins, audit: au, cfg: cfg, guard: newGuard(cfg, st)}, nil
}

// newGuard builds the SSRF guard: the platform setting is read from st at
// every check.
func newGuard(cfg WebhookConfig, st *store.Store) guard {
	return guard{private: cfg.AllowPrivateTargets, setting: platformSetting(st),
		allowInsecure: cfg.AllowInsecureHTTP, resolver: cfg.Resolver}
}

// WebhookInput creates an endpoint.
type WebhookInput struct {
	// TenantID: required for platform admins; tenant admins leave it "" (or
	// give their own).
	TenantID    string
	URL         string
	Events      []string // event types, or ["*"]
	Description string
	Enabled     *bool  // nil = enabled
	Secret      string // optional own "whsec_" secret; "" = generated
}

// WebhookPatch changes an endpoint; nil fields stay as they are. Enabling a
// disabled endpoint clears DisabledReason and FailingSince.
type WebhookPatch struct {
	URL         *string
	Events      *[]string
	Description *string
	Enabled     *bool
}

// WebhookRotation replaces an endpoint's secret.
type WebhookRotation struct {
	// Secret is the new secret; "" = generated.
	Secret string
	// KeepPrevious keeps the old secret signing (as a second signature) for
	// WebhookConfig.RotationOverlap, so receivers can switch without losing
	// messages. false = the old secret stops at once.
	KeepPrevious bool
}

// EventTypes lists the event types endpoints can subscribe to (for forms
// and documentation), without "*".
func (w *Webhooks) EventTypes() []string { return model.WebhookEventTypes() }

// CheckURL validates a webhook URL as endpoint registration does (syntax,
// scheme, SSRF guard with DNS), for other services that store webhook URLs
// (a DID's webhook). It returns the normalised URL or a
// *model.ValidationError on field.
func (w *Webhooks) CheckURL(ctx context.Context, field, raw string) (string, error) {
	u, err := w.guard.checkURL(ctx, raw, true)
	if err != nil {
		return "", model.Invalid(field, err.Error())
	}
	return u, nil
}

// scope is the actor's data scope for webhooks, or ErrForbidden.
func scope(actor model.Actor) (model.Scope, error) {
	switch {
	case actor.Role == model.RoleAdmin:
		return model.PlatformScope(), nil
	case actor.Role == model.RoleTenant && actor.TenantID != "":
		return model.TenantScope(actor.TenantID), nil
	}
	return model.Scope{}, fmt.Errorf("%w: webhooks are managed by tenant administrators", model.ErrForbidden)
}

// Create registers an endpoint and returns it with its secret.
func (w *Webhooks) Create(ctx context.Context, actor model.Actor, in WebhookInput) (model.WebhookEndpoint, error) {
	sc, err := scope(actor)
	if err != nil {
		return model.WebhookEndpoint{}, err
	}
	e := model.WebhookEndpoint{TenantID: in.TenantID, Enabled: in.Enabled == nil || *in.Enabled, Secret: in.Secret}
	v := &model.ValidationError{}
	switch {
	case sc.IsPlatform() && e.TenantID == "":
		v.Add("tenant_id", "is required")
	case !sc.IsPlatform() && e.TenantID == "":
		e.TenantID = sc.TenantID()
	case !sc.Allows(e.TenantID):
		v.Add("tenant_id", "no such tenant") // never reveal other tenants
	}
	w.setURL(ctx, v, &e, in.URL)
	setEvents(v, &e, in.Events)
	setDescription(v, &e, in.Description)
	if e.Secret == "" {
		e.Secret = NewWebhookSecret()
	} else if err := CheckWebhookSecret(e.Secret); err != nil {
		v.Add("secret", err.Error())
	}
	if err := v.OrNil(); err != nil {
		return model.WebhookEndpoint{}, err
	}
	n, err := w.st.CountWebhookEndpoints(ctx, model.TenantScope(e.TenantID), store.WebhookEndpointFilter{})
	if err != nil {
		return model.WebhookEndpoint{}, err
	}
	if n >= w.cfg.MaxEndpoints {
		return model.WebhookEndpoint{}, model.Invalid("url", fmt.Sprintf("a tenant may have at most %d webhook endpoints", w.cfg.MaxEndpoints))
	}
	if err := w.st.CreateWebhookEndpoint(ctx, &e); err != nil {
		return model.WebhookEndpoint{}, err
	}
	w.record(ctx, actor, model.ActionWebhookCreated, e, redact(e.URL)+" ("+strings.Join(e.Events, " ")+")")
	return e, nil
}

// Get returns an endpoint without its secrets.
func (w *Webhooks) Get(ctx context.Context, actor model.Actor, id string) (model.WebhookEndpoint, error) {
	e, err := w.get(ctx, actor, id)
	return hideSecrets(e), err
}

func (w *Webhooks) get(ctx context.Context, actor model.Actor, id string) (model.WebhookEndpoint, error) {
	sc, err := scope(actor)
	if err != nil {
		return model.WebhookEndpoint{}, err
	}
	if !model.ValidID(model.PrefixWebhook, id) {
		return model.WebhookEndpoint{}, model.ErrNotFound
	}
	return w.st.GetWebhookEndpoint(ctx, sc, id)
}

func hideSecrets(e model.WebhookEndpoint) model.WebhookEndpoint {
	e.Secret, e.PreviousSecret, e.PreviousSecretExpiresAt = "", "", e.PreviousSecretExpiresAt.UTC()
	return e
}

// List returns one page of endpoints (newest first) without secrets:
// admins see every tenant's (f.TenantID filters), tenant admins their own.
func (w *Webhooks) List(ctx context.Context, actor model.Actor, f store.WebhookEndpointFilter, o model.ListOptions) ([]model.WebhookEndpoint, string, error) {
	sc, err := scope(actor)
	if err != nil {
		return nil, "", err
	}
	items, next, err := w.st.ListWebhookEndpoints(ctx, sc, f, o)
	for i := range items {
		items[i] = hideSecrets(items[i])
	}
	return items, next, err
}

// Update applies a patch and returns the endpoint without secrets.
func (w *Webhooks) Update(ctx context.Context, actor model.Actor, id string, p WebhookPatch) (model.WebhookEndpoint, error) {
	e, err := w.get(ctx, actor, id)
	if err != nil {
		return model.WebhookEndpoint{}, err
	}
	before := e
	v := &model.ValidationError{}
	if p.URL != nil {
		w.setURL(ctx, v, &e, *p.URL)
	}
	if p.Events != nil {
		setEvents(v, &e, *p.Events)
	}
	if p.Description != nil {
		setDescription(v, &e, *p.Description)
	}
	if p.Enabled != nil {
		if *p.Enabled && !e.Enabled {
			e.DisabledReason, e.FailingSince = "", time.Time{}
		}
		e.Enabled = *p.Enabled
	}
	if err := v.OrNil(); err != nil {
		return model.WebhookEndpoint{}, err
	}
	if err := w.st.UpdateWebhookEndpoint(ctx, model.TenantScope(e.TenantID), &e); err != nil {
		return model.WebhookEndpoint{}, err
	}
	w.record(ctx, actor, model.ActionWebhookUpdated, e, changes(before, e))
	return hideSecrets(e), nil
}

// Delete removes an endpoint and its delivery log.
func (w *Webhooks) Delete(ctx context.Context, actor model.Actor, id string) error {
	e, err := w.get(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := w.st.DeleteWebhookEndpoint(ctx, model.TenantScope(e.TenantID), e.ID); err != nil {
		return err
	}
	w.record(ctx, actor, model.ActionWebhookDeleted, e, redact(e.URL))
	return nil
}

// RotateSecret gives the endpoint a new secret and returns the endpoint
// with it. Besides Create's answer this is the only place a secret is
// shown: there is no way to read it again (a lost secret is rotated), so
// a leaked session or API key cannot reveal what receivers trust.
func (w *Webhooks) RotateSecret(ctx context.Context, actor model.Actor, id string, r WebhookRotation) (model.WebhookEndpoint, error) {
	e, err := w.get(ctx, actor, id)
	if err != nil {
		return model.WebhookEndpoint{}, err
	}
	secret := r.Secret
	if secret == "" {
		secret = NewWebhookSecret()
	} else if err := CheckWebhookSecret(secret); err != nil {
		return model.WebhookEndpoint{}, model.Invalid("secret", err.Error())
	}
	if secret == e.Secret {
		return model.WebhookEndpoint{}, model.Invalid("secret", "must differ from the current secret")
	}
	prev, until := "", time.Time{}
	if r.KeepPrevious {
		prev, until = e.Secret, w.cfg.Now().UTC().Add(w.cfg.RotationOverlap)
	}
	if err := w.st.SetWebhookSecret(ctx, model.TenantScope(e.TenantID), e.ID, secret, prev, until); err != nil {
		return model.WebhookEndpoint{}, err
	}
	detail := "previous secret revoked"
	if r.KeepPrevious {
		detail = "previous secret valid until " + until.Format("2006-01-02 15:04 MST")
	}
	w.record(ctx, actor, model.ActionWebhookSecretRotated, e, detail)
	out, err := w.st.GetWebhookEndpoint(ctx, model.TenantScope(e.TenantID), e.ID)
	if err != nil {
		return model.WebhookEndpoint{}, err
	}
	out.PreviousSecret = ""
	return out, nil
}

func (w *Webhooks) setURL(ctx context.Context, v *model.ValidationError, e *model.WebhookEndpoint, raw string) {
	u, err := w.guard.checkURL(ctx, raw, true)
	if err != nil {
		v.Add("url", err.Error())
		return
	}
	e.URL = u
}

// setEvents normalises the subscription: known types in display order, or
// just "*".
func setEvents(v *model.ValidationError, e *model.WebhookEndpoint, events []string) {
	want := map[string]bool{}
	for _, ev := range events {
		ev = strings.ToLower(strings.TrimSpace(ev))
		if ev != model.WebhookAllEvents && !model.ValidWebhookEvent(ev) {
			v.Add("events", fmt.Sprintf("unknown event type %q; known: %s, or * for all", ev,
				strings.Join(model.WebhookEventTypes(), ", ")))
			return
		}
		want[ev] = true
	}
	switch {
	case len(want) == 0:
		v.Add("events", "choose at least one event type, or * for all")
	case want[model.WebhookAllEvents]:
		e.Events = []string{model.WebhookAllEvents}
	default:
		e.Events = slices.DeleteFunc(model.WebhookEventTypes(), func(t string) bool { return !want[t] })
	}
}

func setDescription(v *model.ValidationError, e *model.WebhookEndpoint, d string) {
	d = strings.TrimSpace(d)
	switch {
	case !utf8.ValidString(d):
		v.Add("description", "must be valid UTF-8 text")
	case utf8.RuneCountInString(d) > MaxWebhookDescription:
		v.Add("description", fmt.Sprintf("must be at most %d characters", MaxWebhookDescription))
	case strings.ContainsFunc(d, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		v.Add("description", "must not contain control characters")
	default:
		e.Description = d
	}
}

// changes describes an update for the audit log.
func changes(a, b model.WebhookEndpoint) string {
	var parts []string
	if a.URL != b.URL {
		parts = append(parts, "url "+redact(a.URL)+" -> "+redact(b.URL))
	}
	if !slices.Equal(a.Events, b.Events) {
		parts = append(parts, "events "+strings.Join(b.Events, " "))
	}
	if a.Description != b.Description {
		parts = append(parts, "description")
	}
	if a.Enabled != b.Enabled {
		parts = append(parts, fmt.Sprintf("enabled %t", b.Enabled))
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, "; ")
}

func (w *Webhooks) record(ctx context.Context, actor model.Actor, action string, e model.WebhookEndpoint, detail string) {
	if w.audit != nil {
		w.audit.Record(ctx, actor, action, "webhook", e.ID, detail, e.TenantID)
	}
}

// redact hides a password in a URL's user info for logs and audit lines.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}
