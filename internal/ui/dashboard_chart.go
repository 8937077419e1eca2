package ui

import (
	"strconv"

	"faxgate/internal/reports"
)

// pagesChart is a server-rendered bar chart of pages per day (sent and
// received side by side), drawn by the "pages-chart" template as inline
// SVG: no script, and the same numbers are in a data table for screen
// readers and for copying.
type pagesChart struct {
	Width, Height int
	PlotTop       int // y of the top of the plot area
	Baseline      int // y of the x axis
	Bars          []chartBar
	Ticks         []chartTick // x labels
	Grid          []chartTick // y gridlines with labels
	Days          []reports.Day
	Empty         bool
}

type chartBar struct {
	X, Y, W, H int
	Class      string // sent | received
	Title      string
}

type chartTick struct {
	X, Y  int
	Label string
}

const (
	chartWidth  = 720
	chartHeight = 220
	chartLeft   = 40 // room for the y labels
	chartTop    = 10
	chartBottom = 24 // room for the x labels
)

// newPagesChart lays out the bars of days (oldest first).
func newPagesChart(days []reports.Day) pagesChart {
	c := pagesChart{Width: chartWidth, Height: chartHeight, PlotTop: chartTop,
		Baseline: chartHeight - chartBottom, Days: days}
	top := niceMax(days)
	c.Empty = top == 0
	if top == 0 {
		top = 10
	}
	plotH := c.Baseline - chartTop
	slot := (chartWidth - chartLeft) / max(len(days), 1)
	barW := max((slot-4)/2, 1)
	for i, d := range days {
		x := chartLeft + i*slot + 2
		c.Bars = append(c.Bars,
			bar(x, barW, d.SentPages, top, plotH, c.Baseline, "sent", d.Date.Format("2 Jan")+": "+
				plural(d.SentPages, "page")+" sent in "+plural(d.Sent, "fax")),
			bar(x+barW, barW, d.ReceivedPages, top, plotH, c.Baseline, "received", d.Date.Format("2 Jan")+": "+
				plural(d.ReceivedPages, "page")+" received in "+plural(d.Received, "fax")))
		if i%5 == 0 || i == len(days)-1 {
			c.Ticks = append(c.Ticks, chartTick{X: x + barW, Y: chartHeight - 6, Label: d.Date.Format("2 Jan")})
		}
	}
	for _, frac := range []int{0, 2, 4} {
		v := top * frac / 4
		c.Grid = append(c.Grid, chartTick{X: chartLeft - 6, Y: c.Baseline - plotH*frac/4, Label: strconv.Itoa(v)})
	}
	return c
}

func bar(x, w, v, top, plotH, base int, class, title string) chartBar {
	h := v * plotH / top
	if v > 0 && h < 1 {
		h = 1 // a day with pages never looks empty
	}
	return chartBar{X: x, Y: base - h, W: w, H: h, Class: class, Title: title}
}

// niceMax is the y-axis top: the largest daily page count rounded up to
// 1, 2 or 5 times a power of ten, divisible by 4 for the gridlines.
func niceMax(days []reports.Day) int {
	m := 0
	for _, d := range days {
		m = max(m, d.SentPages, d.ReceivedPages)
	}
	if m == 0 {
		return 0
	}
	for p := 1; ; p *= 10 {
		for _, f := range []int{1, 2, 5} {
			if n := f * p * 4; n >= m {
				return n
			}
		}
	}
}

func plural(n int, word string) string {
	s := strconv.Itoa(n) + " " + word
	if n == 1 {
		return s
	}
	if word == "fax" {
		return s + "es"
	}
	return s + "s"
}
