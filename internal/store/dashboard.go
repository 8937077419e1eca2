package store

import (
	"context"
	"time"

	"faxgate/internal/model"
)

// ActivityFilter narrows the fax activity of a dashboard. Zero fields do
// not filter.
type ActivityFilter struct {
	TenantID string // platform scope only
	UserID   string
	Since    time.Time // faxes that ended (outbound) or arrived (inbound) at or after
}

// FaxActivity sums faxes per direction and final status over a time slot.
type FaxActivity struct {
	Slot      time.Time // start of the 15-minute slot (UTC)
	Direction model.FaxDirection
	Status    model.FaxStatus
	Faxes     int
	Pages     int // pages sent (outbound) or received (inbound)
}

// ActivitySlot is the bucket width of FaxActivities: 15 minutes, so that
// callers can regroup the slots into days of any time zone (every zone
// offset is a multiple of 15 minutes).
const ActivitySlot = 15 * time.Minute

// FaxActivities returns the finished faxes of the scope grouped by
// 15-minute slot, direction and status: outbound by completion time,
// inbound by arrival. At most 96 slots a day, whatever the fax count.
func (s *Store) FaxActivities(ctx context.Context, scope model.Scope, f ActivityFilter) ([]FaxActivity, error) {
	var w where
	if err := w.scoped(scope, "tenant_id"); err != nil {
		return nil, err
	}
	if f.TenantID != "" {
		w.add("tenant_id = ?", f.TenantID)
	}
	if f.UserID != "" {
		w.add("user_id = ?", f.UserID)
	}
	w.add("status IN ('delivered', 'failed', 'canceled', 'received')")
	at := "COALESCE(completed_at, created_at)"
	if !f.Since.IsZero() {
		w.add(at+" >= ?", s.tv(f.Since))
	}
	slot := "(" + at + " / 900000000) * 900000000" // SQLite: unix microseconds
	if s.engine == Postgres {
		slot = "to_timestamp(floor(extract(epoch FROM " + at + ") / 900) * 900)"
	}
	q := `SELECT ` + slot + ` AS slot, direction, status, COUNT(*),
		COALESCE(SUM(CASE WHEN direction = 'outbound' THEN pages_sent ELSE pages END), 0)
		FROM faxes` + w.sql() + ` GROUP BY slot, direction, status ORDER BY slot`
	return queryList(ctx, s, q, w.args, func(r rowScanner) (FaxActivity, error) {
		var a FaxActivity
		err := r.Scan(scanTime(&a.Slot), &a.Direction, &a.Status, &a.Faxes, &a.Pages)
		return a, err
	})
}
