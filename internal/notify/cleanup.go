package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/store"
)

// KindWebhookCleanup is the periodic job deleting old delivery logs.
const KindWebhookCleanup = "webhook_cleanup"

// WebhookCleanupArgs is the (empty) argument of a webhook_cleanup job.
type WebhookCleanupArgs struct{}

// Kind implements river.JobArgs.
func (WebhookCleanupArgs) Kind() string { return KindWebhookCleanup }

// cleanupWorker deletes final deliveries older than DeliveryRetention.
type cleanupWorker struct {
	river.WorkerDefaults[WebhookCleanupArgs]
	st  *store.Store
	cfg WebhookConfig
}

func (w *cleanupWorker) Work(ctx context.Context, _ *river.Job[WebhookCleanupArgs]) error {
	n, err := w.st.DeleteWebhookDeliveriesBefore(ctx, w.cfg.Now().Add(-w.cfg.DeliveryRetention))
	if err != nil {
		return fmt.Errorf("delete old webhook deliveries: %w", err)
	}
	if n > 0 {
		w.cfg.Logger.Info("webhook delivery log cleaned", "deleted", n)
	}
	return nil
}

func (w *cleanupWorker) Timeout(*river.Job[WebhookCleanupArgs]) time.Duration { return 5 * time.Minute }
