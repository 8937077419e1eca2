package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"faxgate/internal/model"
)

type ctxKey int

const (
	keyActor ctxKey = iota
	keySession
	keyBranding
	keyInfo
	keyAuthErr
)

// WithActor returns a context carrying the authenticated actor.
func WithActor(ctx context.Context, a model.Actor) context.Context {
	return context.WithValue(ctx, keyActor, a)
}

// ActorFrom returns the authenticated actor of the request, if any.
func ActorFrom(ctx context.Context) (model.Actor, bool) {
	a, ok := ctx.Value(keyActor).(model.Actor)
	return a, ok && a.UserID != ""
}

// WithSession returns a context carrying the portal session that
// authenticated the request.
func WithSession(ctx context.Context, s model.Session) context.Context {
	return context.WithValue(ctx, keySession, s)
}

// SessionFrom returns the portal session of a cookie-authenticated request.
func SessionFrom(ctx context.Context) (model.Session, bool) {
	s, ok := ctx.Value(keySession).(model.Session)
	return s, ok
}

// AuthErrorFrom returns why the credentials of the request were refused
// (model.ErrDisabled, model.ErrSuspended, model.ErrMFARequired, ...), or nil.
// The portal uses it to explain a redirect to the login page.
func AuthErrorFrom(ctx context.Context) error {
	err, _ := ctx.Value(keyAuthErr).(error)
	return err
}

// brandingValue resolves the branding at most once per request, on first use:
// static files and API calls never need it, so they never pay the lookup.
type brandingValue struct {
	once    sync.Once
	resolve func() model.Branding
	b       model.Branding
}

func (v *brandingValue) get() model.Branding {
	v.once.Do(func() { v.b = v.resolve() })
	return v.b
}

// WithBranding returns a context carrying a fixed branding.
func WithBranding(ctx context.Context, b model.Branding) context.Context {
	return context.WithValue(ctx, keyBranding, &brandingValue{resolve: func() model.Branding { return b }})
}

func withLazyBranding(ctx context.Context, resolve func() model.Branding) context.Context {
	return context.WithValue(ctx, keyBranding, &brandingValue{resolve: resolve})
}

// BrandingFrom returns the branding that applies to the request: the actor's
// tenant after login, the tenant owning the Host before login, the default
// faxgate branding otherwise.
func BrandingFrom(ctx context.Context) model.Branding {
	if v, ok := ctx.Value(keyBranding).(*brandingValue); ok {
		return v.get()
	}
	return model.DefaultBranding()
}

// requestInfo is shared, mutable per-request state: the outermost middleware
// creates it and inner layers fill it in (route pattern, actor) so that the
// access log and metrics see what happened deeper in the stack.
type requestInfo struct {
	mu      sync.Mutex
	id      string
	ip      string
	https   bool
	start   time.Time
	pattern string
	actorID string
	log     *slog.Logger
}

func (i *requestInfo) setPattern(p string) {
	i.mu.Lock()
	i.pattern = p
	i.mu.Unlock()
}

func (i *requestInfo) setActor(id string) {
	i.mu.Lock()
	i.actorID = id
	i.mu.Unlock()
}

func (i *requestInfo) snapshot() (pattern, actorID string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.pattern, i.actorID
}

func infoFrom(ctx context.Context) *requestInfo {
	i, _ := ctx.Value(keyInfo).(*requestInfo)
	return i
}

// RequestID returns the id of the request (also sent as X-Request-Id), or "".
func RequestID(ctx context.Context) string {
	if i := infoFrom(ctx); i != nil {
		return i.id
	}
	return ""
}

// ClientIP returns the address of the client: the peer address, or the
// left-most untrusted X-Forwarded-For hop when the peer is a trusted proxy
// (Options.TrustedProxies). Outside the middleware it falls back to the peer.
func ClientIP(r *http.Request) string {
	if i := infoFrom(r.Context()); i != nil && i.ip != "" {
		return i.ip
	}
	return peerIP(r)
}

// IsHTTPS reports whether the client reached us over TLS, directly or via a
// trusted proxy that says so in X-Forwarded-Proto.
func IsHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	i := infoFrom(r.Context())
	return i != nil && i.https
}
