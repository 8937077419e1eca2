package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"faxgate/internal/model"
)

// Authenticator resolves credentials to an actor. *auth.Service implements it.
type Authenticator interface {
	Authenticate(ctx context.Context, token, ip string) (model.Actor, model.Session, error)
	AuthenticateAPIKey(ctx context.Context, raw, ip string) (model.Actor, error)
	AuthenticateBasic(ctx context.Context, login, password, ip string) (model.Actor, error)
}

// BrandingResolver finds the white label for a host name or an actor.
// *tenancy.Service implements it.
type BrandingResolver interface {
	BrandingForHost(ctx context.Context, host string) (model.Branding, bool)
	BrandingForActor(ctx context.Context, actor model.Actor) model.Branding
}

// Options configure the middleware stack.
type Options struct {
	Logger *slog.Logger
	// Registry receives the HTTP metrics; nil disables them.
	Registry prometheus.Registerer
	// Auth resolves credentials; nil leaves every request anonymous.
	Auth Authenticator
	// Branding resolves white labels; nil means the default branding.
	Branding BrandingResolver
	// TrustedProxies may set X-Forwarded-For, X-Forwarded-Proto and
	// X-Request-Id; everybody else's are ignored.
	TrustedProxies []netip.Prefix
	// TrustedOrigins are other origins (scheme://host[:port]) allowed to
	// make state-changing requests with the session cookie.
	TrustedOrigins []string
	// MaxBody bounds every request body unless a route raises it with
	// LimitBody; 0 means DefaultMaxBody.
	MaxBody int64
	// PublicPrefixes are path prefixes served without looking at
	// credentials at all (static files, /healthz, /metrics): no session
	// lookup, no actor.
	PublicPrefixes []string
}

// Middleware is a handler decorator.
type Middleware func(http.Handler) http.Handler

// NewMiddleware builds the standard stack. Outermost first: body limit and
// request context (id, client IP, logger), access log and metrics, panic
// recovery, CSRF protection, authentication, branding, and finally the
// capture of the ServeMux route pattern for the log and metrics labels.
func NewMiddleware(o Options) (Middleware, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	m, err := newMetrics(o.Registry)
	if err != nil {
		return nil, err
	}
	csrf, err := newCSRF(o.TrustedOrigins)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		h := capturePattern(next)
		h = brand(o.Branding, h)
		h = authenticate(o, h)
		h = csrf(h)
		h = recoverPanics(h)
		rt, _ := next.(router)
		h = observe(o.Logger, m, rt, h)
		return begin(o, h)
	}, nil
}

// IsAPI reports whether the request is for the REST API (JSON answers).
func IsAPI(r *http.Request) bool {
	return r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")
}

// --- request context and body limit ---------------------------------------

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// bodyState keeps the unlimited body and the server's own ResponseWriter
// so that LimitBody can replace the default limit for one route.
type bodyState struct {
	w    http.ResponseWriter
	orig io.ReadCloser
}

type bodyKey struct{}

func begin(o Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, https := resolveClient(r, o.TrustedProxies)
		id := r.Header.Get("X-Request-Id")
		if !isTrusted(peerIP(r), o.TrustedProxies) || !requestIDPattern.MatchString(id) {
			id = newRequestID()
		}
		info := &requestInfo{id: id, ip: ip, https: https, start: time.Now(),
			log: o.Logger.With("request_id", id)}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), keyInfo, info)
		ctx = context.WithValue(ctx, bodyKey{}, &bodyState{w: w, orig: r.Body})
		r = r.WithContext(ctx)
		r.Body = http.MaxBytesReader(w, r.Body, o.MaxBody)
		next.ServeHTTP(w, r)
	})
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// LimitBody raises (or lowers) the body size limit for one route, e.g. file
// uploads. It must wrap the route's handler, before anything reads the body.
func LimitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st, ok := r.Context().Value(bodyKey{}).(*bodyState); ok {
			r.Body = http.MaxBytesReader(st.w, st.orig, n)
		} else {
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}

// --- access log and metrics -------------------------------------------------

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Flush lets streaming handlers flush through the recorder.
func (rec *recorder) Flush() {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	http.NewResponseController(rec.ResponseWriter).Flush() //nolint:errcheck // best effort
}

// Unwrap gives http.ResponseController access to the connection.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

func (rec *recorder) code() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}

// router is what observe needs of a *http.ServeMux to label requests that
// were refused before reaching it (CSRF, credentials) with their route.
type router interface {
	Handler(r *http.Request) (h http.Handler, pattern string)
}

func observe(log *slog.Logger, m *metrics, rt router, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		info := infoFrom(r.Context())
		defer func() {
			pattern, actorID := info.snapshot()
			if pattern == "" && rt != nil {
				_, pattern = rt.Handler(r)
			}
			d := time.Since(info.start)
			m.observe(pattern, r.Method, rec.code(), d)
			log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
				slog.String("method", r.Method), slog.String("route", routeLabel(pattern)),
				slog.String("path", r.URL.Path), slog.Int("status", rec.code()),
				slog.Float64("duration_ms", float64(d.Microseconds())/1000), slog.Int64("bytes", rec.bytes),
				slog.String("request_id", info.id), slog.String("actor_id", actorID),
				slog.String("ip", info.ip))
		}()
		next.ServeHTTP(rec, r)
	})
}

func routeLabel(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	return pattern
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests by ServeMux route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request latency by ServeMux route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("httpx: register metrics: %w", err)
		}
	}
	return m, nil
}

// knownMethods bounds the method label: anything else counts as "OTHER".
var knownMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true,
	"PATCH": true, "DELETE": true, "OPTIONS": true}

func (m *metrics) observe(pattern, method string, code int, d time.Duration) {
	if m == nil {
		return
	}
	if !knownMethods[method] {
		method = "OTHER"
	}
	route := routeLabel(pattern)
	m.requests.WithLabelValues(route, method, fmt.Sprint(code)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

func capturePattern(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ServeMux sets r.Pattern on the request it is given; read it back
		// even if the handler panics.
		defer func() {
			if i := infoFrom(r.Context()); i != nil {
				i.setPattern(r.Pattern)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// --- panic recovery -----------------------------------------------------------

func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			LoggerFrom(r.Context()).Error("panic serving request", "method", r.Method,
				"path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec, ok := w.(*recorder); ok && rec.status != 0 {
				return // headers are gone; the client sees a truncated response
			}
			WriteProblem(w, r, Classify(errors.New("panic")))
		}()
		next.ServeHTTP(w, r)
	})
}

// WriteProblem answers with the problem: JSON on API paths, a minimal HTML
// page elsewhere. Middleware uses it for refusals before any handler runs.
func WriteProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	SetProblemHeaders(w, p)
	if IsAPI(r) {
		WriteJSON(w, p.Status, errorBody{Error: errorDetail{Code: p.Code, Message: p.Message, Fields: p.Fields}})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	title := html.EscapeString(http.StatusText(p.Status))
	fmt.Fprintf(w, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title></head>"+
		"<body><h1>%s</h1><p>%s</p><p><a href=\"/\">Back to the portal</a></p></body></html>\n",
		title, title, html.EscapeString(p.Message))
}

// --- CSRF ----------------------------------------------------------------------

// newCSRF protects every state-changing request (POST, PUT, PATCH, DELETE)
// with http.CrossOriginProtection, which refuses cross-origin browser
// requests using Sec-Fetch-Site and Origin, and lets through requests that
// carry neither header (non-browser clients).
//
// The one exemption is `Authorization: Bearer`: a browser never attaches a
// bearer token by itself (it is not an ambient credential like a cookie),
// and a cross-origin page cannot add the header without a CORS preflight,
// which faxgate does not grant; so a forged request cannot carry one. When a
// bearer token is present, the authentication middleware uses it alone and
// ignores the session cookie, so the exemption never lends the cookie's
// authority to a cross-origin request.
//
// HTTP Basic credentials are NOT exempt: browsers cache them after a login
// prompt and attach them automatically, exactly like a cookie. API clients
// (curl, scripts) send no Sec-Fetch-Site/Origin headers, so the check costs
// them nothing.
func newCSRF(trusted []string) (Middleware, error) {
	cop := http.NewCrossOriginProtection()
	for _, o := range trusted {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("httpx: trusted origin: %w", err)
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !hasBearer(r) {
				if err := cop.Check(r); err != nil {
					LoggerFrom(r.Context()).Warn("cross-origin request refused", "method", r.Method,
						"path", r.URL.Path, "origin", r.Header.Get("Origin"),
						"sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
					WriteProblem(w, r, Classify(ErrCrossOrigin))
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

func hasBearer(r *http.Request) bool {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.EqualFold(scheme, "Bearer")
}

// --- authentication --------------------------------------------------------------

func isPublic(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if path == strings.TrimSuffix(p, "/") || strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// authenticate resolves the request's credentials. An Authorization header,
// when present, is the only credential considered (the cookie is ignored);
// bad header credentials are refused right here (401, 403 or 429). A session
// cookie that no longer works just leaves the request anonymous, with the
// reason in AuthErrorFrom, so the portal can send the user to the login page.
func authenticate(o Options, next http.Handler) http.Handler {
	if o.Auth == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isPublic(r.URL.Path, o.PublicPrefixes) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, err := resolveCredentials(r, o.Auth)
		if err != nil {
			p := Classify(err)
			if p.Internal() {
				LoggerFrom(r.Context()).Error("authentication failed", "err", err)
			}
			WriteProblem(w, r, p)
			return
		}
		if a, ok := ActorFrom(ctx); ok {
			infoFrom(ctx).setActor(a.UserID)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func resolveCredentials(r *http.Request, au Authenticator) (context.Context, error) {
	ctx, ip := r.Context(), ClientIP(r)
	if h := r.Header.Get("Authorization"); h != "" {
		a, err := headerActor(ctx, au, h, ip)
		if err != nil {
			return nil, err
		}
		return WithActor(ctx, a), nil
	}
	token := SessionToken(r)
	if token == "" {
		return ctx, nil
	}
	a, s, err := au.Authenticate(ctx, token, ip)
	switch {
	case err == nil:
		return WithSession(WithActor(ctx, a), s), nil
	case isCredentialRefusal(err):
		return context.WithValue(ctx, keyAuthErr, err), nil
	}
	return nil, err
}

func headerActor(ctx context.Context, au Authenticator, h, ip string) (model.Actor, error) {
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "Bearer") && cred != "":
		return au.AuthenticateAPIKey(ctx, cred, ip)
	case strings.EqualFold(scheme, "Basic"):
		login, pw, ok := parseBasic(h)
		if !ok {
			return model.Actor{}, fmt.Errorf("%w: malformed Basic credentials", model.ErrUnauthenticated)
		}
		return au.AuthenticateBasic(ctx, login, pw, ip)
	}
	return model.Actor{}, fmt.Errorf("%w: unsupported Authorization scheme; use Bearer or Basic", model.ErrUnauthenticated)
}

func parseBasic(h string) (login, pw string, ok bool) {
	r := &http.Request{Header: http.Header{"Authorization": {h}}}
	return r.BasicAuth()
}

func isCredentialRefusal(err error) bool {
	for _, e := range []error{model.ErrUnauthenticated, model.ErrMFARequired, model.ErrDisabled,
		model.ErrSuspended, model.ErrBadCredentials, model.ErrNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// --- branding ----------------------------------------------------------------------

func brand(br BrandingResolver, next http.Handler) http.Handler {
	if br == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		actor, loggedIn := ActorFrom(ctx)
		host := r.Host
		ctx = withLazyBranding(ctx, func() model.Branding {
			if loggedIn {
				return br.BrandingForActor(ctx, actor)
			}
			b, _ := br.BrandingForHost(ctx, host)
			return b
		})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
