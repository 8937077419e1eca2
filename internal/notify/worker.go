package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/audit"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// maxErrorText bounds the error text kept per attempt.
const maxErrorText = 500

// AddWebhookWorkers registers the webhook delivery and clean-up workers in
// workers and returns the clean-up's periodic job (for
// jobs.WithPeriodicJobs). cfg must equal the one given to NewWebhooks; the
// queue cfg.Queue (default WebhookQueue) must be configured in jobs.New.
func AddWebhookWorkers(workers *river.Workers, st *store.Store, au *audit.Service, cfg WebhookConfig) (*river.PeriodicJob, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	river.AddWorker(workers, &deliveryWorker{d: newDeliverer(st, au, cfg)})
	river.AddWorker(workers, &cleanupWorker{st: st, cfg: cfg})
	return river.NewPeriodicJob(
		river.PeriodicInterval(cfg.CleanupInterval),
		func() (river.JobArgs, *river.InsertOpts) {
			return WebhookCleanupArgs{}, &river.InsertOpts{Queue: cfg.Queue, MaxAttempts: 3}
		},
		&river.PeriodicJobOpts{ID: KindWebhookCleanup, RunOnStart: true},
	), nil
}

// deliveryWorker runs webhook_delivery jobs.
type deliveryWorker struct {
	river.WorkerDefaults[WebhookDeliveryArgs]
	d *deliverer
}

// Work makes one attempt; a failed attempt with retries left snoozes the
// job until the next one is due (snoozes do not use up River attempts).
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[WebhookDeliveryArgs]) error {
	return w.d.deliver(ctx, job.Args)
}

// Timeout leaves room for the HTTP attempt and the bookkeeping around it.
func (w *deliveryWorker) Timeout(*river.Job[WebhookDeliveryArgs]) time.Duration {
	return w.d.cfg.Timeout + 30*time.Second
}

// deliverer makes attempts and records them.
type deliverer struct {
	st    *store.Store
	audit *audit.Service
	cfg   WebhookConfig
	guard guard
	// strict refuses non-public addresses at every connection; open (used
	// while private targets are allowed) does not check. Two clients, so
	// a connection pooled while the platform setting allowed a private
	// target is never reused once it no longer does.
	strict, open *http.Client
	jitter       func() float64 // in [-1, 1)
}

func newDeliverer(st *store.Store, au *audit.Service, cfg WebhookConfig) *deliverer {
	g := newGuard(cfg, st)
	strict, open := g, g
	strict.private, strict.setting, open.private = false, nil, true
	return &deliverer{st: st, audit: au, cfg: cfg, guard: g,
		strict: newWebhookClient(strict, cfg.Timeout), open: newWebhookClient(open, cfg.Timeout),
		jitter: func() float64 { return rand.Float64()*2 - 1 }}
}

// newWebhookClient returns the HTTP client of deliveries: every connection
// goes through the guard's Control (the address really dialled), no
// environment proxy, no redirects (a 3xx is a failed attempt), bounded
// time and headers.
func newWebhookClient(g guard, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Resolver: g.resolver, ControlContext: g.control}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// target is where and how one attempt goes.
type target struct {
	url     string
	secrets []string
}

func (d *deliverer) deliver(ctx context.Context, args WebhookDeliveryArgs) error {
	wk, err := d.st.WebhookWork(ctx, args.DeliveryID)
	if errors.Is(err, model.ErrNotFound) {
		return nil // deleted with its endpoint
	}
	if err != nil {
		return err
	}
	del := wk.Delivery
	if del.Status.Final() {
		return nil // a duplicate job: already done
	}
	now := d.cfg.Now().UTC()
	t, reason := d.target(wk, now)
	if reason != "" {
		_, err := d.st.FinishWebhookDelivery(ctx, del.ID, del.Attempts, model.WebhookFailed, reason)
		return err
	}
	a, retryAfter := d.attempt(ctx, del, t, now)
	res, delay := d.next(del, a, args.Manual, now, retryAfter)
	res.URL = t.url
	failingSince, err := d.st.RecordWebhookAttempt(ctx, del.ID, a, res)
	var ce *model.ConflictError
	if errors.Is(err, model.ErrNotFound) || errors.As(err, &ce) {
		return nil // deleted meanwhile, or another job recorded this attempt
	}
	if err != nil {
		return err
	}
	d.log(del, a, res)
	if wk.Endpoint != nil {
		d.checkHealth(ctx, *wk.Endpoint, a, failingSince, now)
	}
	if res.Status == model.WebhookRetrying {
		return river.JobSnooze(delay)
	}
	return nil
}

// target resolves the URL and secrets of the attempt, or why no attempt
// can be made.
func (d *deliverer) target(wk store.WebhookWork, now time.Time) (target, string) {
	if wk.Delivery.EndpointID == "" {
		return target{url: wk.Delivery.URL, secrets: []string{wk.TargetSecret}}, ""
	}
	e := wk.Endpoint
	switch {
	case e == nil:
		return target{}, "the endpoint was deleted"
	case !e.Enabled:
		return target{}, "the endpoint is disabled"
	}
	t := target{url: e.URL, secrets: []string{e.Secret}}
	if e.PreviousSecret != "" && now.Before(e.PreviousSecretExpiresAt) {
		t.secrets = append(t.secrets, e.PreviousSecret)
	}
	return t, ""
}

// attempt POSTs the payload once and describes the outcome; retryAfter is
// the receiver's Retry-After, if any.
func (d *deliverer) attempt(ctx context.Context, del model.WebhookDelivery, t target, now time.Time) (model.WebhookAttempt, time.Duration) {
	a := model.WebhookAttempt{N: del.Attempts + 1, At: now}
	req, err := d.request(ctx, del, t, now)
	if err != nil {
		a.Error = clip(err.Error(), maxErrorText)
		return a, 0
	}
	start := time.Now()
	client := d.strict
	if d.guard.allowPrivate(ctx) {
		client = d.open
	}
	resp, err := client.Do(req)
	if err != nil {
		a.Duration = time.Since(start)
		a.Error = d.describe(err)
		return a, 0
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxWebhookResponseLogged))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	_ = resp.Body.Close()
	a.Duration = time.Since(start)
	a.StatusCode = resp.StatusCode
	a.ResponseBody = logText(body)
	if !a.OK() {
		a.Error = statusError(resp.StatusCode)
	}
	return a, retryAfter(resp.Header.Get("Retry-After"), now)
}

func (d *deliverer) request(ctx context.Context, del model.WebhookDelivery, t target, now time.Time) (*http.Request, error) {
	sig, err := SignWebhook(del.MessageID, now, del.Payload, t.secrets...)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(del.Payload))
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "faxgate")
	req.Header.Set("webhook-id", del.MessageID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	return req, nil
}

// describe turns a transport error into a short text for the delivery log.
func (d *deliverer) describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(err, ErrBlockedAddress):
		return clip("refused by the SSRF guard: "+err.Error(), maxErrorText)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("timed out after %s", d.cfg.Timeout)
	}
	return clip(err.Error(), maxErrorText)
}

func statusError(code int) string {
	msg := fmt.Sprintf("receiver answered %d %s", code, http.StatusText(code))
	if code >= 300 && code <= 399 {
		msg += " (redirects are not followed: register the final URL)"
	}
	return msg
}

// next decides the delivery's state after attempt a and, when retrying,
// how long to wait.
func (d *deliverer) next(del model.WebhookDelivery, a model.WebhookAttempt, manual bool, now time.Time, retryAfter time.Duration) (store.WebhookAttemptResult, time.Duration) {
	switch {
	case a.OK():
		return store.WebhookAttemptResult{Status: model.WebhookSucceeded}, 0
	case manual, a.StatusCode == http.StatusGone:
		return store.WebhookAttemptResult{Status: model.WebhookFailed}, 0
	}
	delay, ok := nextDelay(d.cfg.Schedule, a.N, now.Sub(del.CreatedAt), d.cfg.RetryWindow, retryAfter, d.jitter()*d.cfg.Jitter)
	if !ok {
		return store.WebhookAttemptResult{Status: model.WebhookFailed}, 0
	}
	return store.WebhookAttemptResult{Status: model.WebhookRetrying, NextAttemptAt: now.Add(delay)}, delay
}

// nextDelay is the wait after failed attempt n (1-based) of a delivery
// whose event is age old: schedule[n-1] spread by jitter (a fraction in
// (-1, 1)), at least retryAfter, cut to end at the retry window. ok is
// false when the schedule or the window is used up.
func nextDelay(schedule []time.Duration, n int, age, window, retryAfter time.Duration, jitter float64) (time.Duration, bool) {
	remaining := window - age
	if n < 1 || n > len(schedule) || remaining <= 0 {
		return 0, false
	}
	delay := schedule[n-1] + time.Duration(float64(schedule[n-1])*jitter)
	delay = max(delay, retryAfter, 0)
	return min(delay, remaining), true
}

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.ParseInt(h, 10, 64); err == nil && s > 0 {
		return time.Duration(min(s, int64(365*24*3600))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// checkHealth disables the endpoint after a 410 Gone, or when it has
// failed every attempt for AutoDisableAfter.
func (d *deliverer) checkHealth(ctx context.Context, e model.WebhookEndpoint, a model.WebhookAttempt, failingSince, now time.Time) {
	var reason string
	switch {
	case a.OK():
		return
	case a.StatusCode == http.StatusGone:
		reason = "the receiver answered 410 Gone on " + now.Format(time.RFC3339)
	case d.cfg.AutoDisableAfter > 0 && !failingSince.IsZero() && now.Sub(failingSince) >= d.cfg.AutoDisableAfter:
		reason = "no successful delivery since " + failingSince.UTC().Format(time.RFC3339)
	default:
		return
	}
	changed, err := d.st.DisableWebhookEndpoint(ctx, e.ID, reason)
	if err != nil {
		d.cfg.Logger.Error("webhook endpoint not disabled", "endpoint", e.ID, "err", err)
		return
	}
	if !changed {
		return
	}
	d.cfg.Logger.Warn("webhook endpoint disabled", "endpoint", e.ID, "tenant", e.TenantID, "reason", reason)
	if d.audit != nil {
		d.audit.Record(ctx, model.SystemActor(), model.ActionWebhookAutoDisabled, "webhook", e.ID, reason, e.TenantID)
	}
}

func (d *deliverer) log(del model.WebhookDelivery, a model.WebhookAttempt, res store.WebhookAttemptResult) {
	d.cfg.Logger.Debug("webhook attempt", "delivery", del.ID, "tenant", del.TenantID, "event", del.EventType,
		"attempt", a.N, "status_code", a.StatusCode, "duration", a.Duration, "error", a.Error,
		"state", string(res.Status), "next_attempt_at", res.NextAttemptAt)
}

// logText makes response bytes storable text: valid UTF-8 without NULs
// (PostgreSQL text cannot hold them).
func logText(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…" // drops a rune cut in half
}
