package audit

import (
	"context"
	"encoding/csv"
	"io"
	"time"

	"faxgate/internal/csvcell"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// CSVColumns is the header row of the System Activities export.
var CSVColumns = []string{"at", "user", "ip", "action", "target_type", "target_id", "detail", "tenant_id", "event_id"}

// exportPage is how many events are read per query while exporting.
const exportPage = 500

// WriteCSV streams every event the actor may see that f selects (newest
// first, no page limit) to w as CSV, times in loc. It reads page by page,
// so memory stays bounded. It returns the number of rows written.
func (s *Service) WriteCSV(ctx context.Context, actor model.Actor, f store.AuditFilter, loc *time.Location, w io.Writer) (int, error) {
	if loc == nil {
		loc = time.UTC
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return 0, err
	}
	n := 0
	o := model.ListOptions{Limit: exportPage}
	for {
		evs, next, err := s.List(ctx, actor, f, o)
		if err != nil {
			return n, err
		}
		for _, e := range evs {
			rec := []string{e.At.In(loc).Format(time.RFC3339), csvcell.Safe(e.ActorEmail), csvcell.Safe(e.IP),
				e.Action, e.TargetType, csvcell.Safe(e.TargetID), csvcell.Safe(e.Detail), e.TenantID, e.ID}
			if err := cw.Write(rec); err != nil {
				return n, err
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil || next == "" {
			return n, err
		}
		o.Cursor = next
	}
}
