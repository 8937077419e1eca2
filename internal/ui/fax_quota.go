package ui

import (
	"context"
	"fmt"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
)

// quotaBanner is the page-limit notice of the Send pages and the
// dashboard: a warning from 80 % of the daily or monthly limit (delivered
// plus pending pages), an error once a limit is reached.
type quotaBanner struct {
	Show  bool
	Full  bool // a limit is reached: nothing more can be sent
	Lines []string
}

// quotaFor reads the tenant's usage; admins (no tenant) and tenants
// without limits get no banner. A failure to read usage only hides the
// banner: the limits are enforced at submit anyway.
func (h *Handler) quotaFor(ctx context.Context, actor model.Actor) quotaBanner {
	if h.fax == nil || actor.TenantID == "" {
		return quotaBanner{}
	}
	u, err := h.fax.Usage(ctx, actor, actor.TenantID)
	if err != nil {
		h.log.WarnContext(ctx, "portal: page usage not readable", "tenant", actor.TenantID, "err", err)
		return quotaBanner{}
	}
	return newQuotaBanner(u)
}

// newQuotaBanner words a usage report.
func newQuotaBanner(u faxout.UsageReport) quotaBanner {
	var b quotaBanner
	add := func(period string, used, limit int, warn bool) {
		if limit <= 0 || !warn {
			return
		}
		used += u.Pending
		b.Show = true
		pct := 100 * used / limit
		if used >= limit {
			b.Full = true
			b.Lines = append(b.Lines, fmt.Sprintf("Fax limit reached: %d of the %d pages allowed %s are sent or queued. "+
				"New faxes are refused until the limit resets.", used, limit, period))
			return
		}
		b.Lines = append(b.Lines, fmt.Sprintf("%d %% of your page limit %s is used: %d of %d pages sent or queued.",
			pct, period, used, limit))
	}
	add("today", u.Day.Pages, u.DailyLimit, u.WarnDaily)
	add("this month", u.Month.Pages, u.MonthlyLimit, u.WarnMonthly)
	return b
}
