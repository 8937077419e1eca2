package app

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"faxgate/internal/httpx"
	"faxgate/internal/ui"
)

// publicPrefixes are served without resolving credentials.
var publicPrefixes = []string{"/static/", "/healthz", "/metrics"}

func (a *App) newHandler() (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{
		Registry: a.reg, ErrorLog: slog2promLogger{a}}))
	a.api.Register(mux)
	portal, err := ui.New(ui.Deps{Auth: a.auth, Tenancy: a.tenancy, Audit: a.audit, Documents: a.docs,
		Faxout: a.faxout, Faxin: a.faxin, Webhooks: a.webhooks, Campaigns: a.contacts,
		Reports: a.reports, Announcements: a.announce, Mailer: a.mailer, Health: a.health,
		EmailSenders: a.email.senders, Logger: a.log, Now: a.o.now, FlashKeySource: a.flashKey})
	if err != nil {
		return nil, err
	}
	portal.Register(mux)
	mw, err := httpx.NewMiddleware(httpx.Options{
		Logger:         a.log,
		Registry:       a.reg,
		Auth:           a.auth,
		Branding:       a.tenancy,
		TrustedProxies: a.cfg.TrustedProxies,
		PublicPrefixes: publicPrefixes,
	})
	if err != nil {
		return nil, err
	}
	return mw(mux), nil
}

type healthStatus struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// healthz answers 200 {"status":"ok"} when the database answers and the
// workers run, 503 with the failing checks otherwise.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	if err := a.store.Ping(ctx); err != nil {
		httpx.LoggerFrom(r.Context()).Warn("healthz: database ping failed", "err", err)
		checks["database"] = "unreachable"
	}
	if !a.started.Load() {
		checks["workers"] = "not running"
	}
	if len(checks) > 0 {
		httpx.WriteJSON(w, http.StatusServiceUnavailable, healthStatus{Status: "unavailable", Checks: checks})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, healthStatus{Status: "ok"})
}

// slog2promLogger routes promhttp's error log to slog.
type slog2promLogger struct{ a *App }

func (l slog2promLogger) Println(v ...any) { l.a.log.Error("metrics", "err", v) }
