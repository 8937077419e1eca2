package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"faxgate/internal/model"
)

// AddUsageTx adds delivered pages and faxes to the tenant's counters of the
// day and the month containing at (UTC), inside tx.
func (s *Store) AddUsageTx(ctx context.Context, tx *sql.Tx, tenantID string, at time.Time, pages, faxes int) error {
	day, month := model.UsagePeriods(at)
	for _, period := range []string{day, month} {
		_, err := tx.ExecContext(ctx, `INSERT INTO usage_counters (tenant_id, period, pages, faxes)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, period) DO UPDATE SET pages = usage_counters.pages + excluded.pages,
				faxes = usage_counters.faxes + excluded.faxes`, tenantID, period, pages, faxes)
		if err != nil {
			return s.mapErr(err)
		}
	}
	return nil
}

// GetUsageTx returns the tenant's counters of the day and the month
// containing at (zero counters when nothing was delivered), inside tx when
// tx is not nil.
func (s *Store) GetUsageTx(ctx context.Context, tx *sql.Tx, tenantID string, at time.Time) (day, month model.Usage, err error) {
	d, m := model.UsagePeriods(at)
	if day, err = s.usage(ctx, tx, tenantID, d); err != nil {
		return day, month, err
	}
	month, err = s.usage(ctx, tx, tenantID, m)
	return day, month, err
}

// QuotaStateTx returns, in one statement (one snapshot, so that a delivery
// committing meanwhile is counted exactly once), the tenant's delivered
// pages of the day and month containing at and the pages of its outbound
// faxes not yet final.
func (s *Store) QuotaStateTx(ctx context.Context, tx *sql.Tx, tenantID string, at time.Time) (day, month, pending int, err error) {
	d, m := model.UsagePeriods(at)
	err = tx.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT pages FROM usage_counters WHERE tenant_id = $1 AND period = $2), 0),
		COALESCE((SELECT pages FROM usage_counters WHERE tenant_id = $1 AND period = $3), 0),
		COALESCE((SELECT SUM(pages) FROM faxes WHERE tenant_id = $1 AND direction = 'outbound'
			AND status IN ('queued', 'sending', 'retrying')), 0)`, tenantID, d, m).Scan(&day, &month, &pending)
	return day, month, pending, s.mapErr(err)
}

// GetUsage is GetUsageTx outside a transaction, for the tenant in scope.
func (s *Store) GetUsage(ctx context.Context, scope model.Scope, tenantID string, at time.Time) (day, month model.Usage, err error) {
	if !scope.Valid() {
		return day, month, ErrInvalidScope
	}
	if !scope.Allows(tenantID) {
		return day, month, model.ErrNotFound
	}
	return s.GetUsageTx(ctx, nil, tenantID, at)
}

func (s *Store) usage(ctx context.Context, tx *sql.Tx, tenantID, period string) (model.Usage, error) {
	u := model.Usage{TenantID: tenantID, Period: period}
	q := `SELECT pages, faxes FROM usage_counters WHERE tenant_id = $1 AND period = $2`
	var row *sql.Row
	if tx != nil {
		row = tx.QueryRowContext(ctx, q, tenantID, period)
	} else {
		row = s.rdb.QueryRowContext(ctx, q, tenantID, period)
	}
	err := row.Scan(&u.Pages, &u.Faxes)
	if errors.Is(err, sql.ErrNoRows) {
		return u, nil
	}
	return u, s.mapErr(err)
}
