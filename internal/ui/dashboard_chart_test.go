package ui

import (
	"testing"
	"time"

	"faxgate/internal/reports"
)

func TestNiceMax(t *testing.T) {
	for _, c := range []struct{ max, want int }{{0, 0}, {1, 4}, {4, 4}, {5, 8}, {9, 20}, {33, 40}, {41, 80}, {999, 2000}} {
		days := []reports.Day{{SentPages: c.max}, {ReceivedPages: c.max / 2}}
		if got := niceMax(days); got != c.want {
			t.Errorf("niceMax(%d) = %d, want %d", c.max, got, c.want)
		}
	}
}

func TestPagesChart(t *testing.T) {
	start := time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)
	days := make([]reports.Day, 30)
	for i := range days {
		days[i].Date = start.AddDate(0, 0, i)
	}
	days[29] = reports.Day{Date: days[29].Date, SentPages: 40, Sent: 4, ReceivedPages: 1, Received: 1}
	c := newPagesChart(days)
	if c.Empty || len(c.Bars) != 60 || len(c.Ticks) != 7 || len(c.Grid) != 3 {
		t.Fatalf("chart: empty %v, %d bars, %d ticks, %d grid", c.Empty, len(c.Bars), len(c.Ticks), len(c.Grid))
	}
	sent, recv := c.Bars[58], c.Bars[59]
	if sent.Y != c.PlotTop || sent.Y+sent.H != c.Baseline || recv.H < 1 || recv.H >= sent.H {
		t.Fatalf("bars sent %+v received %+v (top %d base %d)", sent, recv, c.PlotTop, c.Baseline)
	}
	if sent.Title != "3 Dec: 40 pages sent in 4 faxes" || recv.Title != "3 Dec: 1 page received in 1 fax" {
		t.Fatalf("titles %q / %q", sent.Title, recv.Title)
	}
	if c.Bars[0].H != 0 || c.Bars[59].X+c.Bars[59].W > c.Width {
		t.Fatalf("first bar %+v, last %+v", c.Bars[0], c.Bars[59])
	}
	if empty := newPagesChart(days[:29]); !empty.Empty {
		t.Fatal("a month without pages is not empty")
	}
}
