package ui

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"faxgate/internal/tenancy"
)

// TestTenantListUsage: Administration > Tenants shows every tenant's
// delivered pages of today and this month against its limits.
func TestTenantListUsage(t *testing.T) {
	p := newPortal(t, withReports(t))
	ctx := t.Context()
	day, month := 10, 300
	if _, err := p.Tenancy.UpdateTenant(ctx, p.W.AdminActor, p.W.A.ID, tenancy.TenantInput{Name: p.W.A.Name,
		Status: p.W.A.Status, DailyPageLimit: &day, MonthlyPageLimit: &month}); err != nil {
		t.Fatal(err)
	}
	if err := p.St.RunTx(ctx, func(tx *sql.Tx) error { return p.St.AddUsageTx(ctx, tx, p.W.A.ID, p.Clock.Now(), 9, 3) }); err != nil {
		t.Fatal(err)
	}
	b := p.browser(t)
	b.login("admin@example.com")
	r := b.get("/admin/tenants")
	wantStatus(t, r, http.StatusOK)
	checkHygiene(t, "tenants", r)
	wantText(t, r, "Pages today", "Pages this month")
	rowOf := func(name string) string {
		i := strings.Index(r.Body, ">"+name+"</a>")
		if i < 0 {
			t.Fatalf("no row for %s", name)
		}
		end := strings.Index(r.Body[i:], "</tr>")
		return r.Body[i : i+end]
	}
	a := rowOf(p.W.A.Name)
	for _, want := range []string{"9 / 10 pages", `usage-high`, `<progress value="90" max="100"`, "9 / 300 pages"} {
		if !strings.Contains(a, want) {
			t.Errorf("tenant A's row lacks %q:\n%s", want, a)
		}
	}
	if bRow := rowOf(p.W.B.Name); !strings.Contains(bRow, "0 pages") || !strings.Contains(bRow, "(no limit)") {
		t.Errorf("tenant B's row (no limits, no pages):\n%s", bRow)
	}
}
