package faxout

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// Destinations remembers per destination number what worked on the last
// good fax call to it (T.38 or audio, ECM on or off) in the
// fax_destinations table, so that a SIP trunk starts the next call to that
// number with it (line.DestMemory). It is platform-wide on purpose: a fax
// machine answers the same way whichever tenant calls it, and the table
// holds no tenant data (no document, no sender), only how the far line
// behaved.
type Destinations struct {
	st  *store.Store
	now func() time.Time
}

var _ line.DestMemory = (*Destinations)(nil)

// NewDestinations returns the destination memory on st.
func NewDestinations(st *store.Store, now func() time.Time) *Destinations {
	if now == nil {
		now = time.Now
	}
	return &Destinations{st: st, now: now}
}

// Recall returns what worked for e164 (Known false when nothing is known).
func (d *Destinations) Recall(ctx context.Context, e164 string) (line.DestHint, error) {
	var tr string
	var ecm, ok, fail int64
	err := d.st.DB().QueryRowContext(ctx, `SELECT transport, ecm, ok_count, fail_count FROM fax_destinations
		WHERE number = $1`, e164).Scan(&tr, &ecm, &ok, &fail)
	if errors.Is(err, sql.ErrNoRows) {
		return line.DestHint{}, nil
	}
	if err != nil {
		return line.DestHint{}, fmt.Errorf("faxout: destination memory: %w", err)
	}
	return line.DestHint{Known: true, T38: tr == string(model.TransportT38), ECM: ecm == 1}, nil
}

// Remember records a call's outcome for e164: a good call stores what it
// used; a call that failed in T.38 stores audio (ECM as it was), so the
// next call does not ask for T.38 again.
func (d *Destinations) Remember(ctx context.Context, e164 string, used line.DestHint, ok bool) error {
	tr, okN, failN := model.TransportG711, 0, 1
	if ok {
		okN, failN = 1, 0
		if used.T38 {
			tr = model.TransportT38
		}
	}
	ecm := 0
	if used.ECM {
		ecm = 1
	}
	_, err := d.st.DB().ExecContext(ctx, `INSERT INTO fax_destinations (number, transport, ecm, ok_count, fail_count,
		updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (number) DO UPDATE SET transport = excluded.transport, ecm = excluded.ecm,
		ok_count = fax_destinations.ok_count + excluded.ok_count,
		fail_count = fax_destinations.fail_count + excluded.fail_count, updated_at = excluded.updated_at`,
		e164, string(tr), ecm, okN, failN, d.now().UTC().UnixMicro())
	if err != nil {
		return fmt.Errorf("faxout: destination memory: %w", err)
	}
	return nil
}
