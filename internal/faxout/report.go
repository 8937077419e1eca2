package faxout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"time"

	"faxgate/internal/faxpdf"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/phone"
	"faxgate/internal/tz"
)

// TransmissionReport returns the fax's transmission report as a one-page
// PDF, the proof a sender keeps: a thumbnail of the first page, recipient,
// caller ID, remote station id, pages, duration, time (in the tenant's time
// zone when its fax settings have one), the result in plain words, and
// every call with its time, trunk, transport and result. It works for
// inbound faxes too (sender, pages received). The page is drawn like a fax
// machine's report, at fine resolution, and embedded as such.
//
// The actor must be able to see the fax (model.ErrNotFound otherwise, also
// across tenants); a fax that is not final yet is model.ErrConflict.
func (s *Service) TransmissionReport(ctx context.Context, actor model.Actor, faxID string) ([]byte, error) {
	f, err := s.Get(ctx, actor, faxID)
	if err != nil {
		return nil, err
	}
	if !f.Status.Final() {
		return nil, fmt.Errorf("%w: the fax is still %s; its report is made once it is final", model.ErrConflict, f.Status)
	}
	r := report{fax: f, loc: time.UTC, generated: s.clock()}
	if ts, err := s.loadSettings(ctx, f.TenantID); err == nil && ts.fax.TimeZone != "" {
		if loc, err := tz.Load(ts.fax.TimeZone); err == nil {
			r.loc = loc
		}
	}
	if t, err := s.st.GetTenant(ctx, model.TenantScope(f.TenantID), f.TenantID); err == nil {
		r.tenant = t.Name
	}
	if f.Direction == model.Inbound {
		in, err := s.st.GetInboundFax(ctx, model.TenantScope(f.TenantID), f.ID)
		if err != nil {
			return nil, err
		}
		if !in.DeletedAt.IsZero() {
			return nil, model.ErrNotFound
		}
		r.partial, r.callTime, r.firstPage = in.Partial, in.Duration, s.firstPage(ctx, in.FileKey)
	} else if doc, err := s.st.GetDocument(ctx, model.TenantScope(f.TenantID), f.DocumentID); err == nil {
		r.firstPage = s.firstPage(ctx, doc.FileKey)
	}
	page, err := r.render()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = faxpdf.Write(&buf, []*faxtiff.Page{page}, faxpdf.Meta{Title: "Transmission report " + f.ID,
		Author: r.tenant, Subject: f.Title, Creator: "faxgate transmission report", CreationDate: r.generated})
	if err != nil {
		return nil, fmt.Errorf("faxout: report: %w", err)
	}
	return buf.Bytes(), nil
}

// errStop ends faxtiff.ReadEach after the first page.
var errStop = errors.New("stop")

// firstPage reads only the first page of a stored TIFF-F, or nil when the
// file is gone (retention, deleted document) or unreadable: the report is
// still made, without a thumbnail.
func (s *Service) firstPage(ctx context.Context, key string) *faxtiff.Page {
	if key == "" {
		return nil
	}
	path, release, err := s.blob.LocalPath(ctx, key)
	if err != nil {
		return nil
	}
	defer release()
	fh, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil
	}
	var first *faxtiff.Page
	err = faxtiff.ReadEach(fh, st.Size(), func(_ int, p *faxtiff.Page) error {
		first = p
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil
	}
	return first
}

// report is what the page shows.
type report struct {
	fax       model.Fax
	tenant    string
	loc       *time.Location
	generated time.Time
	partial   bool
	callTime  time.Duration // inbound: the call's duration as faxin recorded it
	firstPage *faxtiff.Page
}

const reportTimeFormat = "2 Jan 2006 15:04:05 MST"

func (r report) time(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(r.loc).Format(reportTimeFormat)
}

// fields are the label/value lines of the summary.
func (r report) fields() [][2]string {
	f := r.fax
	to, from, peer := "Recipient", "Caller ID", "Remote station ID"
	if f.Direction == model.Inbound {
		to, from = "Number called", "Sender's number"
	}
	pages := fmt.Sprintf("%d of %d confirmed", f.PagesSent, f.Pages)
	if f.Direction == model.Inbound {
		pages = plural(f.Pages, "page") + " received"
	}
	return [][2]string{
		{"Fax", f.ID},
		{"Title", orDash(f.Title)},
		{to, orDash(phone.FormatInternational(f.To))},
		{from, orDash(phone.FormatInternational(f.CallerID))},
		{peer, orDash(f.RemoteStationID)},
		{"Pages", pages},
		{"Duration", duration(max(callTime(f.Attempts), r.callTime))},
		{"Submitted", r.time(f.CreatedAt)},
		{"Completed", r.time(f.CompletedAt)},
		{"Calls", fmt.Sprintf("%d", len(f.Attempts))},
	}
}

// callTime is how long the fax's last call lasted, from answer (or dial)
// to hang-up: the transmission time a fax machine prints.
func callTime(as []model.Attempt) time.Duration {
	if len(as) == 0 {
		return 0
	}
	return attemptTime(as[len(as)-1])
}

func attemptTime(a model.Attempt) time.Duration {
	start := a.StartedAt
	if !a.AnsweredAt.IsZero() {
		start = a.AnsweredAt
	}
	if a.EndedAt.IsZero() || a.EndedAt.Before(start) {
		return 0
	}
	return a.EndedAt.Sub(start)
}

func duration(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
}

// plural is "1 page", "2 pages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// result says in plain words what happened to the fax.
func (r report) result() (headline, detail string) {
	f := r.fax
	switch {
	case f.Status == model.FaxDelivered && f.PagesSent == 1:
		return "OK - DELIVERED", "The receiving fax machine confirmed the page."
	case f.Status == model.FaxDelivered:
		return "OK - DELIVERED", "The receiving fax machine confirmed all " + plural(f.PagesSent, "page") + "."
	case f.Status == model.FaxReceived && r.partial:
		return "RECEIVED IN PART", fmt.Sprintf("%s arrived before the call broke off: %s.", plural(f.Pages, "page"),
			causeWords(f.Cause))
	case f.Status == model.FaxReceived:
		return "OK - RECEIVED", plural(f.Pages, "page") + " received."
	case f.Status == model.FaxCanceled:
		return "CANCELED", "The fax was canceled before it was delivered."
	}
	return "FAILED", "Not delivered: " + causeWords(f.Cause) + "."
}

// causeWords explains a cause to people who do not know fax jargon.
func causeWords(c model.Cause) string {
	switch c {
	case model.CauseBusy:
		return "the line was busy"
	case model.CauseNoAnswer:
		return "nobody answered"
	case model.CauseRejected:
		return "the call was refused by the network or the far end"
	case model.CauseUnreachable:
		return "the number cannot be reached"
	case model.CauseFaxNegotiation:
		return "the call was answered, but not by a fax machine (no fax handshake)"
	case model.CauseFaxTransfer:
		return "the transfer broke off while the pages were being sent"
	case model.CauseNetwork:
		return "the line or network failed"
	case model.CauseCanceled:
		return "a user canceled it"
	case model.CauseInternal:
		return "a fault within faxgate"
	}
	return "no reason recorded"
}

// render draws the report page.
func (r report) render() (*faxtiff.Page, error) {
	c, err := newReportCanvas()
	if err != nil {
		return nil, err
	}
	right := reportWidth - reportLeft
	y := 190
	c.text(reportLeft, y, right, true, 22, "TRANSMISSION REPORT")
	dir := "Outgoing fax"
	if r.fax.Direction == model.Inbound {
		dir = "Incoming fax"
	}
	y += 70
	c.text(reportLeft, y, right, false, 10, dir+"  -  "+orDash(r.tenant)+"  -  printed "+r.time(r.generated))
	y += 30
	c.rule(reportLeft, right, y, 4)

	// Summary on the left, thumbnail of the first page on the right.
	thumb := image.Rect(right-520, y+50, right, y+50+735)
	c.thumbnail(r.firstPage, thumb)
	if r.firstPage == nil {
		c.frame(thumb, 2)
		c.text(thumb.Min.X+30, thumb.Min.Y+thumb.Dy()/2, thumb.Max.X-20, false, 9, "(page no longer stored)")
	}
	labelX, valueX, valueMax := reportLeft, reportLeft+390, thumb.Min.X-40
	y += 110
	for _, f := range r.fields() {
		c.text(labelX, y, valueX-20, true, 11, f[0])
		c.text(valueX, y, valueMax, false, 11, f[1])
		y += 64
	}
	y = max(y, thumb.Max.Y+40) + 40
	head, detail := r.result()
	c.text(reportLeft, y, right, true, 11, "Result")
	c.text(valueX, y, right, true, 16, head)
	y += 56
	c.text(valueX, y, right, false, 11, detail)
	if t := r.fax.ResultText; t != "" {
		y += 50
		c.text(valueX, y, right, false, 9, "Engine: "+t)
	}
	y += 50
	c.rule(reportLeft, right, y, 3)
	y = r.renderAttempts(c, y+70, right)
	c.rule(reportLeft, right, int(reportRows)-170, 2)
	c.text(reportLeft, reportRows-120, right, false, 8, "faxgate transmission report - times in "+r.loc.String())
	return c.faxPage(), nil
}

// renderAttempts draws the call table from y and returns the next free y.
// Rows that do not fit above the footer are summed up in one line.
func (r report) renderAttempts(c *reportCanvas, y, right int) int {
	cols := []int{reportLeft, reportLeft + 110, reportLeft + 560, reportLeft + 860, reportLeft + 1010, reportLeft + 1130}
	heads := []string{"Call", "Time", "Trunk", "Line", "Pages", "Result"}
	for i, h := range heads {
		c.text(cols[i], y, right, true, 9, h)
	}
	y += 48
	last := reportRows - 240
	for i, a := range r.fax.Attempts {
		if y > last {
			c.text(reportLeft, y, right, false, 9, fmt.Sprintf("... and %d more calls", len(r.fax.Attempts)-i))
			return y + 44
		}
		line := "-"
		if a.Transport != "" {
			line = string(a.Transport)
		}
		res := "OK"
		if a.Cause != model.CauseNone || a.Status == model.AttemptFailed {
			res = causeWords(a.Cause)
		}
		if a.ResultText != "" {
			res += " (" + a.ResultText + ")"
		}
		cells := []string{fmt.Sprintf("%d.%d", a.Try, a.Leg), r.time(a.StartedAt), orDash(a.TrunkName), line,
			fmt.Sprintf("%d", a.Pages), res}
		for j, s := range cells {
			end := right
			if j+1 < len(cols) {
				end = cols[j+1] - 16
			}
			c.text(cols[j], y, end, false, 9, s)
		}
		y += 44
	}
	if len(r.fax.Attempts) == 0 {
		c.text(reportLeft, y, right, false, 9, "No call was made.")
		y += 44
	}
	return y
}
