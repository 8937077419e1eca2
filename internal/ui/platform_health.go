package ui

import (
	"fmt"
	"net/http"

	"faxgate/internal/health"
)

// healthRoutes is Administration > Platform health.
func (h *Handler) healthRoutes() []route {
	return []route{{"GET /admin/health", adminOnly, h.healthShow}}
}

// usageBar is a tenant's use of one limit.
type usageBar struct {
	Used, Limit int
	Percent     int // 0..100, capped
	Level       string
}

func newUsageBar(used, limit int) usageBar {
	b := usageBar{Used: used, Limit: limit}
	if limit <= 0 {
		return b
	}
	b.Percent = min(100, used*100/limit)
	switch {
	case used >= limit:
		b.Level = "full"
	case used*100 >= limit*80:
		b.Level = "high"
	}
	return b
}

type healthTenant struct {
	ID, Name, Status string
	Day, Month       usageBar
}

// healthData is the data of the platform health page.
type healthData struct {
	health.Report
	Tenants             []healthTenant
	DiskFree, DiskTotal string
	DiskUsed            int
	DBSize              string
	Uptime              string
}

// healthShow is the platform health page; it refreshes itself every 15 s.
func (h *Handler) healthShow(w http.ResponseWriter, r *http.Request) {
	rep, err := h.health.Report(r.Context(), actorOf(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := healthData{Report: rep, DiskFree: byteSize(int64(rep.Disk.Free)), DiskTotal: byteSize(int64(rep.Disk.Total)),
		DiskUsed: int(rep.Disk.UsedPercent() + 0.5), DBSize: byteSize(rep.Disk.DBBytes), Uptime: rep.Uptime.String()}
	for _, t := range rep.Tenants {
		d.Tenants = append(d.Tenants, healthTenant{ID: t.TenantID, Name: t.Name, Status: string(t.Status),
			Day: newUsageBar(t.DayPages, t.DailyLimit), Month: newUsageBar(t.MonthPages, t.MonthlyLimit)})
	}
	v := h.newView(w, r, "Platform health", "health")
	v.Data = d
	h.render(w, r, http.StatusOK, "health", v)
}

// byteSize writes n bytes in binary units.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
