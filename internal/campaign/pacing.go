package campaign

import (
	"time"
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

// Open reports whether t (any zone) falls in the window, in loc.
func (w Window) Open(t time.Time, loc *time.Location) bool {
	w = w.orAlways()
	lt := t.In(loc)
	if w.Days&(1<<uint(lt.Weekday())) == 0 {
		return false
	}
	h := lt.Hour()
	return h >= w.StartHour && h < w.EndHour
}

// NextOpen is the first instant at or after t when the window is open, in
// loc (t itself when it is open). A window with no day returns the zero
// time.
func (w Window) NextOpen(t time.Time, loc *time.Location) time.Time {
	w = w.orAlways()
	if w.Open(t, loc) {
		return t
	}
	lt := t.In(loc)
	for d := 0; d <= 7; d++ {
		day := time.Date(lt.Year(), lt.Month(), lt.Day()+d, 0, 0, 0, 0, loc)
		if w.Days&(1<<uint(day.Weekday())) == 0 {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), w.StartHour, 0, 0, 0, loc)
		end := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).Add(time.Duration(w.EndHour) * time.Hour)
		if start.Before(t) {
			start = t
		}
		if start.Before(end) && w.Open(start, loc) {
			return start.UTC()
		}
	}
	return time.Time{}
}

// Days of the week in Window.Days order, for forms and documents.
var weekdayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// DayNames lists the window's days ("mon", ...).
func (w Window) DayNames() []string {
	var out []string
	for i, n := range weekdayNames {
		if w.Days&(1<<uint(i)) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// DaysFromNames builds a Days mask from day names; ok is false for an
// unknown name.
func DaysFromNames(names []string) (days uint8, ok bool) {
	for _, n := range names {
		found := false
		for i, w := range weekdayNames {
			if n == w {
				days |= 1 << uint(i)
				found = true
			}
		}
		if !found {
			return 0, false
		}
	}
	return days, true
}

// WeekdayNames are the day names DaysFromNames accepts, Sunday first.
func WeekdayNames() []string { return weekdayNames[:] }
