//go:build cgo

package t30

import (
	"fmt"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
)

type runner func(testing.TB, Options, Options, link) *call

var transports = []struct {
	name string
	run  runner
}{
	{"t38", runT38},
	{"audio", runAudio},
	{"pcmu", func(tb testing.TB, co, ao Options, l link) *call {
		l.law = "pcmu"
		return runAudio(tb, co, ao, l)
	}},
	{"pcma", func(tb testing.TB, co, ao Options, l link) *call {
		l.law = "pcma"
		return runAudio(tb, co, ao, l)
	}},
}

// checkTransfer verifies a finished call that should have moved pages from
// sender to receiver intact.
func checkTransfer(t *testing.T, c *call, callerSends bool, sent []*faxtiff.Page, rxPath string, ecm bool) {
	t.Helper()
	snd, rcv := c.a, c.b
	sndEv, rcvEv := c.evA, c.evB
	if !callerSends {
		snd, rcv, sndEv, rcvEv = rcv, snd, rcvEv, sndEv
	}
	rs, rr := snd.Result(), rcv.Result()
	for _, x := range []struct {
		who string
		r   Result
	}{{"sender", rs}, {"receiver", rr}} {
		r := x.r
		if !r.OK || r.Code != CodeOK || r.Class != ClassNone {
			t.Fatalf("%s: %+v", x.who, r)
		}
		if r.ECM != ecm {
			t.Errorf("%s: ECM %v, want %v", x.who, r.ECM, ecm)
		}
		if want := int(sent[0].YDPI + 0.5); r.XRes != 204 || r.YRes != want {
			t.Errorf("%s: resolution %dx%d, want 204x%d", x.who, r.XRes, r.YRes, want)
		}
		if r.Width != faxtiff.WidthA4 || r.BitRate != 14400 {
			t.Errorf("%s: width %d bit rate %d", x.who, r.Width, r.BitRate)
		}
		if len(r.PageTimes) != len(sent) {
			t.Errorf("%s: %d page times for %d pages", x.who, len(r.PageTimes), len(sent))
		}
		for i, pt := range r.PageTimes {
			if pt <= 0 || pt > r.Elapsed || (i > 0 && pt <= r.PageTimes[i-1]) {
				t.Errorf("%s: page times %v, elapsed %v", x.who, r.PageTimes, r.Elapsed)
				break
			}
		}
	}
	if rs.PagesTx != len(sent) || rr.PagesRx != len(sent) || rs.PagesRx != 0 || rr.PagesTx != 0 {
		t.Errorf("pages: sender tx %d rx %d, receiver tx %d rx %d, want %d", rs.PagesTx, rs.PagesRx, rr.PagesTx, rr.PagesRx, len(sent))
	}
	if rs.Length != sent[len(sent)-1].Height {
		t.Errorf("sender length %d, want %d", rs.Length, sent[len(sent)-1].Height)
	}
	wantCoding := "T.4 2-D"
	if ecm {
		wantCoding = "T.6"
	}
	if rs.Compression != wantCoding || rr.Compression != wantCoding {
		t.Errorf("line coding %q/%q, want %q", rs.Compression, rr.Compression, wantCoding)
	}
	if rs.RemoteIdent != "+1 555 0199" || rr.RemoteIdent != "+1 555 0100" {
		t.Errorf("remote idents %q / %q", rs.RemoteIdent, rr.RemoteIdent)
	}
	if rr.BadRows != 0 {
		t.Errorf("receiver: %d bad rows on a clean line", rr.BadRows)
	}
	checkEvents(t, "sender", sndEv, rs)
	checkEvents(t, "receiver", rcvEv, rr)
	checkPages(t, rxPath, sent)
}

// checkEvents: phase B first, exactly one phase E and it is last, clock
// never goes back, the E event carries the final result.
func checkEvents(t *testing.T, who string, evs []Event, final Result) {
	t.Helper()
	if len(evs) < 3 || evs[0].Phase != PhaseB {
		t.Fatalf("%s: events %v", who, phases(evs))
	}
	var last time.Duration
	for i, e := range evs {
		if (e.Phase == PhaseE) != (i == len(evs)-1) {
			t.Fatalf("%s: phase E must come once, last: %v", who, phases(evs))
		}
		if e.At < last {
			t.Errorf("%s: event %d at %v before %v", who, i, e.At, last)
		}
		last = e.At
		if e.Text == "" {
			t.Errorf("%s: event %d has no text", who, i)
		}
	}
	e := evs[len(evs)-1]
	if e.Code != final.Code || e.Result.OK != final.OK || e.Result.Elapsed != final.Elapsed || e.At != final.Elapsed {
		t.Errorf("%s: phase E event %+v, final %+v", who, e, final)
	}
}

func phases(evs []Event) string {
	s := ""
	for _, e := range evs {
		s += fmt.Sprintf("%v(%s) ", e.Phase, e.Text)
	}
	return s
}

// checkPages reads the received file and compares it pixel by pixel.
func checkPages(t *testing.T, rxPath string, sent []*faxtiff.Page) {
	t.Helper()
	got, err := faxtiff.ReadFile(rxPath)
	if err != nil {
		t.Fatalf("received file: %v", err)
	}
	if len(got) != len(sent) {
		t.Fatalf("received %d pages, sent %d", len(got), len(sent))
	}
	for i := range sent {
		if d := faxtiff.Equal(sent[i], got[i]); d != 0 {
			t.Errorf("page %d: %d pixels differ (-1: size %dx%d vs %dx%d)", i+1, d, sent[i].Width, sent[i].Height, got[i].Width, got[i].Height)
		}
		if got[i].Resolution() != sent[i].Resolution() {
			t.Errorf("page %d: received at %v, sent at %v", i+1, got[i].Resolution(), sent[i].Resolution())
		}
	}
}

// TestTransfer sends 1 and 3 pages over both transports, with and without
// ECM, at every resolution, and checks the received pages are identical.
func TestTransfer(t *testing.T) {
	for _, tr := range transports {
		for _, pages := range []int{1, 3} {
			for _, ecm := range []bool{true, false} {
				for _, res := range []faxtiff.Resolution{faxtiff.Standard, faxtiff.Fine, faxtiff.Superfine} {
					name := fmt.Sprintf("%s/%dp/ecm=%v/%v", tr.name, pages, ecm, res)
					t.Run(name, func(t *testing.T) {
						path, sent := writeDoc(t, pages, res)
						co, ao, rxPath := sendRecv(t, true, path)
						co.ECM, ao.ECM = ecm, ecm
						c := tr.run(t, co, ao, link{})
						checkTransfer(t, c, true, sent, rxPath, ecm)
					})
				}
			}
		}
	}
}

// TestRolesAndDirections: the SIP role and the fax direction are
// independent; a caller can receive from an answerer that sends.
func TestRolesAndDirections(t *testing.T) {
	for _, tr := range transports {
		for _, callerSends := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/callerSends=%v", tr.name, callerSends), func(t *testing.T) {
				path, sent := writeDoc(t, 2, faxtiff.Fine)
				co, ao, rxPath := sendRecv(t, callerSends, path)
				co.ECM, ao.ECM = true, true
				c := tr.run(t, co, ao, link{})
				checkTransfer(t, c, callerSends, sent, rxPath, true)
			})
		}
	}
}

// TestCallbacksRunAfterSpandsp wires each tx callback straight into the
// peer's RxIFP. The peer answers from inside that call, which feeds the
// first session again while it is still delivering its own output: that
// only works because callbacks run after spandsp has returned.
func TestCallbacksRunAfterSpandsp(t *testing.T) {
	path, sent := writeDoc(t, 2, faxtiff.Standard)
	for _, ecm := range []bool{true, false} {
		t.Run(fmt.Sprintf("ecm=%v", ecm), func(t *testing.T) {
			co, ao, rxPath := sendRecv(t, true, path)
			co.ECM, ao.ECM = ecm, ecm
			c := runT38(t, co, ao, link{direct: true})
			checkTransfer(t, c, true, sent, rxPath, ecm)
		})
	}
}

// TestModemOptions: modem choice, T.38 rate cap and T.38 parameters.
func TestModemOptions(t *testing.T) {
	path, sent := writeDoc(t, 1, faxtiff.Standard)
	cases := []struct {
		name    string
		run     runner
		modems  Modems
		t38     T38Options
		ecm     bool
		wantBPS int
	}{
		{"t38/v29", runT38, V29, T38Options{}, false, 9600},
		{"t38/v27ter", runT38, V27ter, T38Options{}, true, 4800},
		{"t38/max9600", runT38, 0, T38Options{MaxBitRate: 9600}, true, 9600},
		{"t38/max4800", runT38, 0, T38Options{MaxBitRate: 4800}, false, 4800},
		{"t38/v3+fillbits", runT38, 0, T38Options{Version: 3, FillBitRemoval: true}, false, 14400},
		{"t38/v2+ecm", runT38, 0, T38Options{Version: 2, FillBitRemoval: true}, true, 14400},
		{"audio/v29", runAudio, V29, T38Options{}, true, 9600},
		{"audio/v27ter", runAudio, V27ter, T38Options{}, false, 4800},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			co, ao, rxPath := sendRecv(t, true, path)
			for _, o := range []*Options{&co, &ao} {
				o.Modems, o.T38, o.ECM = tc.modems, tc.t38, tc.ecm
			}
			c := tc.run(t, co, ao, link{})
			for _, s := range []*Session{c.a, c.b} {
				if r := s.Result(); !r.OK || r.BitRate != tc.wantBPS {
					t.Errorf("result %+v, want OK at %d bit/s", r, tc.wantBPS)
				}
			}
			checkPages(t, rxPath, sent)
		})
	}
}

// TestHeaderInfo: spandsp adds a header line above the image; the page
// below it arrives unchanged.
func TestHeaderInfo(t *testing.T) {
	path, sent := writeDoc(t, 1, faxtiff.Fine)
	co, ao, rxPath := sendRecv(t, true, path)
	co.HeaderInfo = "ACME Corp fax"
	c := runT38(t, co, ao, link{})
	if !c.a.Result().OK || !c.b.Result().OK {
		t.Fatalf("%+v / %+v", c.a.Result(), c.b.Result())
	}
	got, err := faxtiff.ReadFile(rxPath)
	if err != nil {
		t.Fatal(err)
	}
	p, s := got[0], sent[0]
	extra := p.Height - s.Height
	if extra < 0 || p.Width != s.Width {
		t.Fatalf("received %dx%d, sent %dx%d", p.Width, p.Height, s.Width, s.Height)
	}
	headerRows := extra
	if extra == 0 {
		headerRows = 64 // header drawn over the image
	}
	black := 0
	for y := range headerRows {
		for x := range p.Width {
			if p.Black(x, y) && !s.Black(x, y-extra) {
				black++
			}
		}
	}
	if black < 100 {
		t.Errorf("only %d header pixels in the top %d rows", black, headerRows)
	}
	diff := 0
	for y := max(headerRows, extra); y < p.Height; y++ {
		for x := range p.Width {
			if p.Black(x, y) != s.Black(x, y-extra) {
				diff++
			}
		}
	}
	if diff != 0 {
		t.Errorf("%d pixels differ below the header (header rows %d, extra rows %d)", diff, headerRows, extra)
	}
}

// TestPacing: paced T.38 sends one chunk per 30 ms (54 octets at 14400
// bit/s) and repeats indicators three times; NoPacing streams the page as
// fast as the clock is advanced.
func TestPacing(t *testing.T) {
	path, sent := writeDoc(t, 1, faxtiff.Fine)
	for _, noPacing := range []bool{false, true} {
		t.Run(fmt.Sprintf("noPacing=%v", noPacing), func(t *testing.T) {
			co, ao, rxPath := sendRecv(t, true, path)
			co.ECM, ao.ECM = true, true
			co.T38.NoPacing, ao.T38.NoPacing = noPacing, noPacing
			c := runT38(t, co, ao, link{})
			checkTransfer(t, c, true, sent, rxPath, true)
			switch {
			case !noPacing && (c.sim < 15*time.Second || c.maxIFP > 64 || c.repeats[3] == 0):
				t.Errorf("paced: %v simulated, longest IFP %d, repeats %v", c.sim, c.maxIFP, c.repeats)
			case noPacing && (c.sim > 2*time.Second || c.maxIFP < 100 || c.repeats[3] != 0):
				t.Errorf("unpaced: %v simulated, longest IFP %d, repeats %v", c.sim, c.maxIFP, c.repeats)
			}
			t.Logf("%v simulated, %d packets, longest IFP %d, repeats %v", c.sim, c.packets, c.maxIFP, c.repeats)
		})
	}
}

// TestImageOptions: what a receiver offers (Resolutions, ImageSizes)
// decides whether a page can go; a refusal is a negotiation failure found
// in phase B, before any page data.
func TestImageOptions(t *testing.T) {
	dir := t.TempDir()
	doc := func(name string, width int, res faxtiff.Resolution) (string, []*faxtiff.Page) {
		p := testPage(res, 5)
		if width != p.Width {
			q := faxtiff.NewPage(width, p.Height, res)
			for y := range p.Height {
				copy(q.Row(y), p.Row(y))
			}
			p = q
		}
		path := dir + "/" + name + ".tif"
		if err := faxtiff.WriteFile(path, []*faxtiff.Page{p}); err != nil {
			t.Fatal(err)
		}
		return path, []*faxtiff.Page{p}
	}
	cases := []struct {
		name      string
		width     int
		res       faxtiff.Resolution
		rxRes     Resolutions
		rxSizes   ImageSizes
		wantCode  string // sender's code; "" = success
		wantClass FailureClass
	}{
		{"b4/default", faxtiff.WidthB4, faxtiff.Fine, 0, 0, "", ClassNone},
		{"a3/default", faxtiff.WidthA3, faxtiff.Standard, 0, 0, "", ClassNone},
		{"a3/rxA4only", faxtiff.WidthA3, faxtiff.Standard, 0, WidthA4 | LengthUnlimited, "T30_ERR_NOSIZESUPPORT", ClassNegotiation},
		{"fine/rxStandardOnly", faxtiff.WidthA4, faxtiff.Fine, ResStandard, 0, "T30_ERR_NORESSUPPORT", ClassNegotiation},
		{"superfine/rxNoSuperfine", faxtiff.WidthA4, faxtiff.Superfine, ResStandard | ResFine, 0, "T30_ERR_NORESSUPPORT", ClassNegotiation},
		{"standard/rxStandardOnly", faxtiff.WidthA4, faxtiff.Standard, ResStandard, 0, "", ClassNone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path, sent := doc(tc.name[:2]+fmt.Sprint(tc.width, tc.res), tc.width, tc.res)
			co, ao, rxPath := sendRecv(t, true, path)
			ao.Resolutions, ao.ImageSizes = tc.rxRes, tc.rxSizes
			c := runT38(t, co, ao, link{})
			rs, rr := c.a.Result(), c.b.Result()
			if tc.wantCode == "" {
				if !rs.OK || !rr.OK || rr.Width != tc.width {
					t.Fatalf("sender %+v, receiver %+v", rs, rr)
				}
				checkPages(t, rxPath, sent)
				return
			}
			if CodeName(rs.Code) != tc.wantCode || rs.Class != tc.wantClass || rs.PagesTx != 0 {
				t.Errorf("sender %+v (%s), want %s", rs, CodeName(rs.Code), tc.wantCode)
			}
			// The sender refuses with DCN; the receiver sees the far end hang up.
			if CodeName(rr.Code) != "T30_ERR_RX_DCNWHY" || rr.Class != ClassRemoteHangup || rr.PagesRx != 0 {
				t.Errorf("receiver %+v (%s)", rr, CodeName(rr.Code))
			}
		})
	}
}
