package line

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/telephony/linesim/testdoc"
	"faxgate/internal/telephony/t30"
)

// doc writes an n-page fine test document and returns its path.
func doc(t testing.TB, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "doc.tif")
	if err := testdoc.WriteFile(p, faxtiff.Fine, n, testdoc.Options{Seed: uint64(n), TextLines: 20}); err != nil {
		t.Fatal(err)
	}
	return p
}

// recorder collects progress reports and what the simulated machine got.
type recorder struct {
	mu       sync.Mutex
	progress []Progress
	rx       []t30.Result
	rxPages  [][]*faxtiff.Page
}

func (r *recorder) onProgress(p Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress = append(r.progress, p)
}

func (r *recorder) onReceived(t *testing.T) func(Call, string, t30.Result) {
	return func(_ Call, rxFile string, rx t30.Result) {
		pages, err := faxtiff.ReadFile(rxFile)
		if err != nil && rx.PagesRx > 0 {
			t.Errorf("received file: %v", err)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.rx = append(r.rx, rx)
		r.rxPages = append(r.rxPages, pages)
	}
}

func (r *recorder) stages() []Stage {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Stage
	for _, p := range r.progress {
		out = append(out, p.Stage)
	}
	return out
}

func call(path, number string, pages int, rec *recorder) Call {
	return Call{To: number, E164: number, CallerID: "+12025550199", StationID: "+1 202 555 0199",
		HeaderInfo: "ACME Corp  +12025550199", TIFFPath: path, Pages: pages, ECM: true, Progress: rec.onProgress}
}

func TestTestNumbers(t *testing.T) {
	path := doc(t, 3)
	sent, err := faxtiff.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		number     string
		outcome    Outcome
		answered   bool
		sip        int
		t30Code    int
		pages      int // confirmed to us
		rxPages    int // complete pages at the machine; -1: the machine never ran
		stages     []Stage
		negotiated bool
	}{
		{"+12025550100", OutcomeAnswer, true, 200, t30.CodeOK, 3, 3,
			[]Stage{StageDialing, StageRinging, StageConnected, StagePage, StagePage, StagePage}, true},
		{"+442079460486", OutcomeBusy, false, 486, -1, 0, -1, []Stage{StageDialing}, false},
		{"+12025550480", OutcomeNoAnswer, false, 480, -1, 0, -1, []Stage{StageDialing, StageRinging}, false},
		{"+12025550488", OutcomeVoice, true, 200, 2, 0, -1, []Stage{StageDialing, StageRinging, StageConnected}, false},
		{"+12025550408", OutcomeDropPage2, true, 200, t30.CodeCallDropped, 1, 1,
			[]Stage{StageDialing, StageRinging, StageConnected, StagePage}, true},
		{"+12025550503", OutcomeNetworkFailure, false, 503, -1, 0, -1, []Stage{StageDialing}, false},
	}
	for _, tc := range tests {
		t.Run(tc.outcome.String(), func(t *testing.T) {
			if got := TestOutcome(tc.number); got != tc.outcome {
				t.Fatalf("TestOutcome(%s) = %v, want %v", tc.number, got, tc.outcome)
			}
			rec := &recorder{}
			l := NewTest(TestConfig{T38: model.T38Request, Received: rec.onReceived(t)})
			res, err := l.Dial(t.Context(), call(path, tc.number, 3, rec))
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			if res.Answered != tc.answered || res.SIPCode != tc.sip || res.T30Code != tc.t30Code || res.Pages != tc.pages ||
				res.Negotiated != tc.negotiated || res.OK() != (tc.t30Code == t30.CodeOK) {
				t.Fatalf("result %+v; want answered %v, SIP %d, T.30 %d, %d pages, negotiated %v",
					res, tc.answered, tc.sip, tc.t30Code, tc.pages, tc.negotiated)
			}
			if got := rec.stages(); !equalStages(got, tc.stages) {
				t.Errorf("stages %v, want %v", got, tc.stages)
			}
			if res.EndedAt.IsZero() || tc.answered && (res.AnsweredAt.IsZero() || res.EndedAt.Before(res.AnsweredAt)) {
				t.Errorf("times: answered %v ended %v", res.AnsweredAt, res.EndedAt)
			}
			if tc.rxPages < 0 {
				if len(rec.rx) != 0 {
					t.Errorf("the simulated machine ran for a %v call", tc.outcome)
				}
				return
			}
			if len(rec.rx) != 1 || rec.rx[0].PagesRx != tc.rxPages || len(rec.rxPages[0]) != tc.rxPages {
				t.Fatalf("machine got %+v", rec.rx)
			}
			checkReceived(t, res, rec.rx[0], sent, rec.rxPages[0])
		})
	}
}

// checkReceived checks what the simulated machine printed: our station id,
// a header line on top of every page (32 extra rows, with ink), and the
// page itself below it, pixel for pixel.
func checkReceived(t *testing.T, res Result, rx t30.Result, sent, got []*faxtiff.Page) {
	t.Helper()
	if rx.RemoteIdent != "+1 202 555 0199" || res.RemoteStationID != "+12025550408" && res.RemoteStationID != "+12025550100" {
		t.Errorf("station ids: machine saw %q, we saw %q", rx.RemoteIdent, res.RemoteStationID)
	}
	for i, p := range got {
		header := p.Height - sent[i].Height
		if header <= 0 {
			t.Fatalf("page %d: received %d rows, sent %d: no header line", i+1, p.Height, sent[i].Height)
		}
		ink := 0
		for y := range header {
			for x := range p.Width {
				if p.Black(x, y) {
					ink++
				}
			}
		}
		if ink < 500 {
			t.Errorf("page %d: header line has %d black pixels: no text", i+1, ink)
		}
		body := faxtiff.NewPage(p.Width, sent[i].Height, sent[i].Resolution())
		copy(body.Pix, p.Pix[header*p.Stride:])
		if d := faxtiff.Equal(body, sent[i]); d != 0 {
			t.Errorf("page %d: %d pixels differ below the header", i+1, d)
		}
	}
}

func equalStages(a, b []Stage) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDropIsMidPage2: the 0408 machine hangs up while page 2 is on the
// line: page 1 was confirmed, page 2 never was, and the call ended well
// before page 2 could have finished.
func TestDropIsMidPage2(t *testing.T) {
	path := doc(t, 3)
	var full, cut Result
	rec := &recorder{}
	full, err := NewTest(TestConfig{T38: model.T38Request}).Dial(t.Context(), call(path, "+12025550100", 3, &recorder{}))
	if err != nil || !full.OK() {
		t.Fatalf("full call: %+v %v", full, err)
	}
	var page1, end time.Duration
	c := call(path, "+12025550408", 3, rec)
	l := NewTest(TestConfig{T38: model.T38Request, Received: func(_ Call, _ string, rx t30.Result) {
		if len(rx.PageTimes) == 1 {
			page1 = rx.PageTimes[0]
		}
		end = rx.Elapsed
	}})
	cut, err = l.Dial(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !cut.RemoteHangup || cut.T30Class != t30.ClassRemoteHangup || cut.Pages != 1 {
		t.Fatalf("dropped call: %+v", cut)
	}
	if page1 == 0 || end <= page1+5*time.Second {
		t.Errorf("machine got page 1 at %v and hung up at %v: not in the middle of page 2", page1, end)
	}
	// A one-page fax is dropped in the middle of its only page.
	one := doc(t, 1)
	res, err := l.Dial(t.Context(), call(one, "+12025550408", 1, &recorder{}))
	if err != nil || res.Pages != 0 || !res.RemoteHangup || !res.Negotiated {
		t.Errorf("one-page drop: %+v %v", res, err)
	}
}

func TestLineOptions(t *testing.T) {
	path := doc(t, 1)
	tests := []struct {
		name      string
		t38       model.T38Policy
		ecm       bool
		maxRate   int
		transport model.Transport
		wantRate  int
	}{
		{"t38 ecm", model.T38Request, true, 0, model.TransportT38, 14400},
		{"g711 when t38 is off", model.T38Off, true, 0, model.TransportG711, 14400},
		{"no ecm", model.T38Accept, false, 0, model.TransportT38, 14400},
		{"9600 cap", model.T38Require, false, 9600, model.TransportT38, 9600},
		{"9600 cap audio", model.T38Off, true, 9600, model.TransportG711, 9600},
		{"4800 cap", model.T38Request, true, 4800, model.TransportT38, 4800},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			c := call(path, "+12025550100", 1, rec)
			c.ECM, c.MaxBitRate = tc.ecm, tc.maxRate
			res, err := NewTest(TestConfig{T38: tc.t38}).Dial(t.Context(), c)
			if err != nil || !res.OK() {
				t.Fatalf("%+v %v", res, err)
			}
			if res.Transport != tc.transport || res.ECM != tc.ecm || res.BitRate != tc.wantRate {
				t.Errorf("transport %s ECM %v rate %d; want %s %v %d", res.Transport, res.ECM, res.BitRate,
					tc.transport, tc.ecm, tc.wantRate)
			}
		})
	}
}

// TestCancel: ending the context hangs the call up promptly, in every
// stage, on both clocks.
func TestCancel(t *testing.T) {
	path := doc(t, 2)
	tests := []struct {
		name     string
		realtime bool
		number   string
		after    Stage
	}{
		{"realtime ringing", true, "+12025550480", StageRinging},
		{"realtime busy", true, "+12025550486", StageDialing},
		{"realtime mid-fax", true, "+12025550100", StageConnected},
		{"realtime voice", true, "+12025550488", StageConnected},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(t.Context())
			why := errors.New("user canceled")
			c := call(path, tc.number, 2, &recorder{})
			c.Progress = func(p Progress) {
				if p.Stage == tc.after {
					time.AfterFunc(300*time.Millisecond, func() { cancel(why) })
				}
			}
			start := time.Now()
			res, err := NewTest(TestConfig{Realtime: true, RingTime: 100 * time.Millisecond, T38: model.T38Request}).Dial(ctx, c)
			if !errors.Is(err, context.Canceled) || context.Cause(ctx) != why {
				t.Fatalf("Dial error %v (cause %v), want context.Canceled", err, context.Cause(ctx))
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("cancel took effect after %v", el)
			}
			if res.OK() || res.EndedAt.IsZero() && res.Answered {
				t.Errorf("result of a canceled call %+v", res)
			}
		})
	}
}

// TestLocalDelivery: the hook for our own DIDs takes the calls it claims.
func TestLocalDelivery(t *testing.T) {
	path := doc(t, 1)
	l := NewTest(TestConfig{Local: localDIDs{"+12025550177": true}})
	res, err := l.Dial(t.Context(), call(path, "+12025550177", 1, &recorder{}))
	if err != nil || res.SIPCode != 299 {
		t.Errorf("own DID: %+v %v", res, err)
	}
	res, err = l.Dial(t.Context(), call(path, "+12025550178", 1, &recorder{}))
	if err != nil || !res.OK() {
		t.Errorf("other number: %+v %v", res, err)
	}
}

// localDIDs claims its numbers and answers with a marker SIP code, as the
// inbound side will (by receiving the fax).
type localDIDs map[string]bool

func (d localDIDs) DeliverLocal(_ context.Context, c Call) (Result, bool, error) {
	if !d[c.E164] {
		return Result{}, false, nil
	}
	return Result{SIPCode: 299, T30Code: -1}, true, nil
}

func TestBadFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.tif")
	if err := os.WriteFile(bad, []byte("not a tiff"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := NewTest(TestConfig{}).Dial(t.Context(), call(bad, "+12025550100", 1, &recorder{}))
	if !errors.Is(err, t30.ErrUnsendable) || res.OK() {
		t.Errorf("Dial(bad file) = %+v, %v; want t30.ErrUnsendable", res, err)
	}
}

func BenchmarkDialFast(b *testing.B) {
	path := doc(b, 1)
	l := NewTest(TestConfig{T38: model.T38Request})
	for b.Loop() {
		res, err := l.Dial(context.Background(), Call{E164: "+12025550100", TIFFPath: path, Pages: 1, ECM: true,
			StationID: "+12025550199"})
		if err != nil || !res.OK() {
			b.Fatalf("%+v %v", res, err)
		}
	}
}
