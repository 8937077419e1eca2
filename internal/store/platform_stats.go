package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"faxgate/internal/model"
)

// JobCount is how many River jobs of a kind are in a state.
type JobCount struct {
	Kind  string
	State string
	Count int
}

// JobCounts counts the job queue's jobs that are not completed, by kind and
// state (available, scheduled, running, retryable, discarded, ...), and
// the completed ones in total. Platform scope only: jobs span tenants.
func (s *Store) JobCounts(ctx context.Context, scope model.Scope) ([]JobCount, int, error) {
	if !scope.IsPlatform() {
		return nil, 0, model.ErrForbidden
	}
	counts, err := queryList(ctx, s, `SELECT kind, state, COUNT(*) FROM river_job WHERE state <> 'completed'
		GROUP BY kind, state ORDER BY kind, state`, nil, func(r rowScanner) (JobCount, error) {
		var c JobCount
		return c, r.Scan(&c.Kind, &c.State, &c.Count)
	})
	if err != nil {
		return nil, 0, err
	}
	var done int
	err = s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE state = 'completed'`).Scan(&done)
	return counts, done, s.mapErr(err)
}

// TenantUsage is a tenant's page use of the day and month against its
// limits.
type TenantUsage struct {
	TenantID, Name       string
	Status               model.TenantStatus
	DailyLimit           int // 0 = unlimited
	MonthlyLimit         int
	DayPages, MonthPages int
}

// TenantUsages lists every tenant (by name, at most limit) with its
// delivered pages of the day and month containing at (UTC periods, as the
// quota counts them).
func (s *Store) TenantUsages(ctx context.Context, scope model.Scope, at time.Time, limit int) ([]TenantUsage, error) {
	if !scope.IsPlatform() {
		return nil, model.ErrForbidden
	}
	day, month := model.UsagePeriods(at)
	return queryList(ctx, s, `SELECT t.id, t.name, t.status, t.daily_page_limit, t.monthly_page_limit,
		COALESCE(d.pages, 0), COALESCE(m.pages, 0)
		FROM tenants t
		LEFT JOIN usage_counters d ON d.tenant_id = t.id AND d.period = $1
		LEFT JOIN usage_counters m ON m.tenant_id = t.id AND m.period = $2
		ORDER BY t.name_lc, t.id LIMIT $3`, []any{day, month, limit}, func(r rowScanner) (TenantUsage, error) {
		var u TenantUsage
		return u, r.Scan(&u.TenantID, &u.Name, &u.Status, &u.DailyLimit, &u.MonthlyLimit, &u.DayPages, &u.MonthPages)
	})
}

// TenantUsagesOf is TenantUsages for the tenants ids (a page of the
// tenant list), in no particular order; unknown ids are left out.
func (s *Store) TenantUsagesOf(ctx context.Context, scope model.Scope, at time.Time, ids []string) ([]TenantUsage, error) {
	if !scope.IsPlatform() {
		return nil, model.ErrForbidden
	}
	if len(ids) == 0 {
		return nil, nil
	}
	day, month := model.UsagePeriods(at)
	args := []any{day, month}
	marks := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", i+3)
	}
	return queryList(ctx, s, `SELECT t.id, t.name, t.status, t.daily_page_limit, t.monthly_page_limit,
		COALESCE(d.pages, 0), COALESCE(m.pages, 0)
		FROM tenants t
		LEFT JOIN usage_counters d ON d.tenant_id = t.id AND d.period = $1
		LEFT JOIN usage_counters m ON m.tenant_id = t.id AND m.period = $2
		WHERE t.id IN (`+strings.Join(marks, ", ")+`)`, args, func(r rowScanner) (TenantUsage, error) {
		var u TenantUsage
		return u, r.Scan(&u.TenantID, &u.Name, &u.Status, &u.DailyLimit, &u.MonthlyLimit, &u.DayPages, &u.MonthPages)
	})
}
