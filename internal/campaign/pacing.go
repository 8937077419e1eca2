package campaign

import (
	"time"

	"faxgate/internal/model"
)

// Pacing uses scheduled slots kept in the database (campaigns.next_send_at)
// rather than an in-memory token bucket, so a restarted sender keeps the
// rate: slot k+1 is slot k plus 60 s / calls_per_minute. While the sender
// keeps up, slots stay on that grid (no drift from processing time, so any
// 5-minute window holds 5 × calls_per_minute submissions, ± 1); after a
// stall (lines busy, a pause, outside the window, a restart) the grid
// restarts from the moment of the late submission instead of bursting to
// catch up.

// Interval is the time between two submissions at cpm calls per minute.
func Interval(cpm int) time.Duration {
	if cpm < 1 {
		cpm = 1
	}
	return time.Minute / time.Duration(cpm)
}

// NextSlot is the slot after a submission made at now for slot: on the grid
// when the submission was on time (within one interval), else one interval
// after now.
func NextSlot(slot, now time.Time, cpm int) time.Time {
	iv := Interval(cpm)
	if slot.IsZero() || now.Sub(slot) >= iv {
		return now.Add(iv)
	}
	return slot.Add(iv)
}

// DaysFromNames builds a Window.Days mask from day names; ok is false for
// an unknown name.
func DaysFromNames(names []string) (days uint8, ok bool) { return model.DaysFromNames(names) }

// WeekdayNames are the day names DaysFromNames accepts, Sunday first.
func WeekdayNames() []string { return model.WeekdayNames() }
