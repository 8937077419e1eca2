package app

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/mail/notices"
	"faxgate/internal/model"
	"faxgate/internal/notify"
)

// faxPublisher turns faxout's lifecycle notices into webhook deliveries,
// inside the transaction that changes the fax (outbox). faxout is built
// before the River client, the webhooks service after it: wh is set by
// useJobs, before anything can submit.
type faxPublisher struct {
	wh atomic.Pointer[notify.Webhooks]
	// email queues the notices to email-to-fax senders (set by useJobs).
	email atomic.Pointer[notices.Service]
}

// FaxEventData is the "data" object of fax.queued, fax.retrying,
// fax.delivered, fax.failed and fax.canceled.
type FaxEventData struct {
	FaxID           string `json:"fax_id"`
	Direction       string `json:"direction"`
	Status          string `json:"status"`
	To              string `json:"to"`
	From            string `json:"from"`
	UserID          string `json:"user_id,omitempty"`
	Title           string `json:"title,omitempty"`
	Pages           int    `json:"pages"`
	PagesSent       int    `json:"pages_sent"`
	Attempts        int    `json:"attempts"`
	CampaignID      string `json:"campaign_id,omitempty"`
	Cause           string `json:"cause,omitempty"`
	Error           string `json:"error,omitempty"`
	RemoteStationID string `json:"remote_station_id,omitempty"`
	CompletedAt     string `json:"completed_at,omitempty"`
}

func (p *faxPublisher) PublishFaxTx(ctx context.Context, tx *sql.Tx, n faxout.Notice) error {
	if en := p.email.Load(); en != nil {
		if err := en.PublishFaxTx(ctx, tx, n); err != nil {
			return err
		}
	}
	wh := p.wh.Load()
	if wh == nil {
		return nil
	}
	f := n.Fax
	d := FaxEventData{FaxID: f.ID, Direction: string(model.Outbound), Status: string(f.Status), To: f.To,
		From: f.CallerID, UserID: f.UserID, Title: f.Title, Pages: f.Pages, PagesSent: f.PagesSent,
		Attempts: f.Tries, CampaignID: f.CampaignID, Cause: string(f.Cause), RemoteStationID: f.RemoteStationID}
	if f.Status == model.FaxFailed || f.Status == model.FaxRetrying {
		d.Error = f.ResultText
	}
	if !f.CompletedAt.IsZero() {
		d.CompletedAt = f.CompletedAt.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	_, err := wh.PublishTx(ctx, tx, f.TenantID, notify.Event{Type: n.Type, Data: d, At: n.At})
	return err
}
