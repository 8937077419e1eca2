package notify

import (
	"errors"
	"log/slog"
	"net"
	"time"
)

// WebhookQueue is the River queue webhook deliveries run on by default. It
// is separate from fax work so that slow receivers (up to the timeout per
// attempt) never hold up sending faxes: the composition root must add it to
// the queues given to jobs.New, e.g.
//
//	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 8}, notify.WebhookQueue: {MaxWorkers: 10}}
const WebhookQueue = "webhooks"

// Defaults of WebhookConfig.
const (
	DefaultWebhookTimeout     = 10 * time.Second
	DefaultRetryWindow        = 24 * time.Hour
	DefaultJitter             = 0.1
	DefaultAutoDisableAfter   = 5 * 24 * time.Hour
	DefaultMaxEndpoints       = 20
	DefaultRotationOverlap    = 24 * time.Hour
	DefaultDeliveryRetention  = 30 * 24 * time.Hour
	DefaultCleanupInterval    = time.Hour
	MaxWebhookURLLength       = 2048
	MaxWebhookDescription     = 500
	MaxWebhookPayload         = 256 << 10
	MaxWebhookResponseLogged  = 1 << 10
	webhookSecretPrefix       = "whsec_"
	webhookSecretBytes        = 32
	minWebhookSecretBytes     = 24
	maxWebhookSecretBytes     = 64
	registrationLookupTimeout = 5 * time.Second
)

// DefaultSchedule returns the default delays between attempts: after the
// first failure 5 s, then 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (the last
// ones are cut by the 24 h retry window).
func DefaultSchedule() []time.Duration {
	return []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
		5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
}

// WebhookConfig tunes webhooks. Zero fields take the defaults.
type WebhookConfig struct {
	// AllowPrivateTargets always lets endpoints point at loopback,
	// private, link-local and other non-public addresses (tests,
	// development). Installations normally leave it false: the platform
	// admin's setting (PlatformSettings.AllowPrivateWebhookTargets) is then
	// read from the store at every registration and connection, so a
	// change applies at once.
	AllowPrivateTargets bool
	// AllowInsecureHTTP accepts http:// endpoint URLs (https only by default).
	AllowInsecureHTTP bool
	// Timeout bounds one attempt, connection to last byte (default 10 s).
	Timeout time.Duration
	// Schedule is the wait after failed attempt n (n = 1, 2, ...); attempts
	// stop when it runs out or the retry window ends.
	Schedule []time.Duration
	// RetryWindow: no attempt is made later than this after the event
	// (default 24 h); the last retry is moved to its end.
	RetryWindow time.Duration
	// Jitter spreads each wait by ±Jitter (a fraction; default 0.1, negative = none).
	Jitter float64
	// AutoDisableAfter disables an endpoint that has failed every attempt
	// for this long (default 5 days; negative = never).
	AutoDisableAfter time.Duration
	// MaxEndpoints per tenant (default 20).
	MaxEndpoints int
	// RotationOverlap is how long the previous secret keeps signing after a
	// rotation that keeps it (default 24 h).
	RotationOverlap time.Duration
	// DeliveryRetention: final deliveries older than this are deleted by the
	// clean-up job (default 30 days).
	DeliveryRetention time.Duration
	// CleanupInterval is how often the clean-up job runs (default 1 h).
	CleanupInterval time.Duration
	// Queue is the River queue of delivery jobs (default WebhookQueue).
	Queue string
	// Resolver resolves endpoint host names, at registration and when
	// connecting (default net.DefaultResolver).
	Resolver *net.Resolver
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

func (c WebhookConfig) withDefaults() (WebhookConfig, error) {
	if c.Timeout <= 0 {
		c.Timeout = DefaultWebhookTimeout
	}
	if c.Schedule == nil {
		c.Schedule = DefaultSchedule()
	}
	for _, d := range c.Schedule {
		if d < 0 {
			return c, errors.New("notify: negative delay in the webhook schedule")
		}
	}
	if c.RetryWindow <= 0 {
		c.RetryWindow = DefaultRetryWindow
	}
	if c.Jitter == 0 {
		c.Jitter = DefaultJitter
	}
	if c.Jitter < 0 {
		c.Jitter = 0
	}
	if c.Jitter >= 1 {
		return c, errors.New("notify: webhook jitter must be below 1")
	}
	if c.AutoDisableAfter == 0 {
		c.AutoDisableAfter = DefaultAutoDisableAfter
	}
	if c.MaxEndpoints <= 0 {
		c.MaxEndpoints = DefaultMaxEndpoints
	}
	if c.RotationOverlap <= 0 {
		c.RotationOverlap = DefaultRotationOverlap
	}
	if c.DeliveryRetention <= 0 {
		c.DeliveryRetention = DefaultDeliveryRetention
	}
	if c.CleanupInterval <= 0 {
		c.CleanupInterval = DefaultCleanupInterval
	}
	if c.Queue == "" {
		c.Queue = WebhookQueue
	}
	if c.Resolver == nil {
		c.Resolver = net.DefaultResolver
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
