package faxout_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"faxgate/internal/faxout"
	"faxgate/internal/faxout/line"
	"faxgate/internal/faxtiff"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/sip"
)

// The SIP trunk tests send real faxes through the service, the SIP trunk's
// line and a real user agent to a second real user agent on 127.0.0.1
// (the far fax machine), in real time: about 25 s per T.38 page and 30 s
// per G.711 page, so the calls run in parallel.

var (
	sipPoolOnce sync.Once
	sipPool     *rtp.PortPool
)

func sipPorts(t *testing.T) *rtp.PortPool {
	sipPoolOnce.Do(func() {
		var err error
		if sipPool, err = rtp.NewPortPool(40000, 44999); err != nil {
			t.Fatal(err)
		}
	})
	return sipPool
}

// startTestUA starts a user agent on 127.0.0.1 with a free port.
func startTestUA(t *testing.T, h sip.Handler) *sip.UA {
	t.Helper()
	level := slog.LevelWarn
	if os.Getenv("FAXGATE_SIP_DEBUG") != "" {
		level = slog.LevelDebug
	}
	ua, err := sip.NewUA(sip.Config{ListenAddr: "127.0.0.1:0", RTPPorts: sipPorts(t), Handler: h,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := ua.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); ua.Close() })
	return ua
}

// farEnd is the called fax machine: a UA answering numbers ending in 0100
// with its T.38 policy, 486 for ...0486, and ringing forever for ...0408.
type farEnd struct {
	ua    *sip.UA
	dir   string
	mu    sync.Mutex
	pages map[string]int // Call-ID -> pages in the received file
	calls map[string]farCall
}

// farCall is what the far end saw of an answered call: the INVITE and
// the call's result.
type farCall struct {
	in  sip.IncomingCall
	res sip.CallResult
}

func startFarEnd(t *testing.T, mode sip.T38Mode) *farEnd {
	f := &farEnd{dir: t.TempDir(), pages: map[string]int{}, calls: map[string]farCall{}}
	f.ua = startTestUA(t, func(ctx context.Context, ic sip.IncomingCall) sip.Decision {
		switch {
		case strings.HasSuffix(ic.DID, "0486"):
			return sip.RejectWith(486)
		case strings.HasSuffix(ic.DID, "0408"):
			return sip.Accept(sip.Receive{RxFile: filepath.Join(f.dir, "never.tif"), RingFor: time.Hour}, nil)
		case !strings.HasSuffix(ic.DID, "0100"):
			return sip.RejectWith(404)
		}
		file := filepath.Join(f.dir, fmt.Sprintf("%x.tif", ic.CallID))
		pol := sip.DefaultPolicy()
		pol.T38 = mode
		return sip.Accept(sip.Receive{RxFile: file, StationID: "far end", Policy: pol}, func(r sip.CallResult) {
			pages, _ := faxtiff.ReadFile(file)
			f.mu.Lock()
			f.pages[r.CallID] = len(pages)
			f.calls[r.CallID] = farCall{ic, r}
			f.mu.Unlock()
		})
	})
	return f
}

func (f *farEnd) received(callID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pages[callID]
}

func (f *farEnd) call(callID string) (farCall, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.calls[callID]
	return c, ok
}

// sipEnv is a faxout service whose SIP trunk calls a far end.
type sipEnv struct {
	*env
	svc   *faxout.Service
	far   *farEnd
	dests *faxout.Destinations
	cdr   *faxout.SIPCalls
	trunk model.Trunk
}

func newSIPEnv(t *testing.T, st *store.Store, farMode sip.T38Mode, edit func(*faxout.TrunkInput)) *sipEnv {
	e := newEnv(t, st, envOptions{noStart: true})
	s := &sipEnv{env: e, far: startFarEnd(t, farMode), dests: faxout.NewDestinations(st, nil),
		cdr: faxout.NewSIPCalls(st)}
	ua := startTestUA(t, nil)
	lines := func(tr model.Trunk) (line.Line, error) {
		return line.NewSIP(line.SIPConfig{UA: ua, Trunk: tr, Memory: s.dests, Record: s.cdr.Recorder(t.Logf)})
	}
	var err error
	s.svc, err = faxout.New(faxout.Deps{Store: st, Blob: e.blobs, Audit: e.ae.Audit, Lines: lines},
		faxout.Config{Node: "sip-node", CapacityWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	j := e.startJobs(t, s.svc, envOptions{})
	e.svc.UseJobs(j)
	off := false
	if _, err := e.svc.UpdateTrunk(e.ctx, e.w.AdminActor, e.fast.ID, faxout.TrunkPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	s.trunk = e.trunk(t, "SIP carrier", -1, 4, func(in *faxout.TrunkInput) {
		in.Kind, in.Host, in.Port, in.T38 = model.TrunkSIP, "127.0.0.1", s.far.ua.Port(), model.T38Request
		in.RingTimeout = faxout.MinRingTimeout
		if edit != nil {
			edit(in)
		}
	})
	return s
}

func TestSIPTrunkCalls(t *testing.T) {
	cases := []struct {
		name      string
		trunkT38  model.T38Policy
		farT38    sip.T38Mode
		to        string
		status    model.FaxStatus
		cause     model.Cause
		transport model.Transport
		sipCode   int
	}{
		{"t38 request, far accepts", model.T38Request, sip.T38Accept, "+12025550100", model.FaxDelivered, "", model.TransportT38, 200},
		{"t38 off: g711", model.T38Off, sip.T38Request, "+12025550100", model.FaxDelivered, "", model.TransportG711, 200},
		{"t38 request, far off: audio fallback, then audio at once", model.T38Request, sip.T38Off, "+12025550100", model.FaxDelivered, "", model.TransportG711, 200},
		{"t38 require, far off: clean failure", model.T38Require, sip.T38Off, "+12025550100", model.FaxFailed, model.CauseFaxNegotiation, "", 200},
		{"busy", model.T38Request, sip.T38Accept, "+12025550486", model.FaxFailed, model.CauseBusy, "", 486},
		{"no answer", model.T38Request, sip.T38Accept, "+12025550408", model.FaxFailed, model.CauseNoAnswer, "", 487},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := storetest.OpenSQLite(t)
			s := newSIPEnv(t, st, tc.farT38, func(in *faxout.TrunkInput) { in.T38 = tc.trunkT38 })
			f := s.wait(t, s.submit(t, s.w.UserAActor, s.doc(t, s.w.UserA, 1), tc.to, 0).ID, nil)
			if f.Status != tc.status || f.Cause != tc.cause {
				t.Fatalf("fax %s cause %q (%s), want %s %q", f.Status, f.Cause, f.ResultText, tc.status, tc.cause)
			}
			if len(f.Attempts) != 1 {
				t.Fatalf("%d attempts, want 1", len(f.Attempts))
			}
			a := f.Attempts[0]
			if a.SIPCode != tc.sipCode || a.TrunkID != s.trunk.ID {
				t.Errorf("attempt SIP %d on %s, want %d on %s", a.SIPCode, a.TrunkID, tc.sipCode, s.trunk.ID)
			}
			if tc.transport != "" && a.Transport != tc.transport {
				t.Errorf("attempt transport %q, want %q", a.Transport, tc.transport)
			}
			rows, err := s.cdr.List(s.ctx, f.TenantID, f.ID)
			if err != nil || len(rows) != 1 {
				t.Fatalf("sip_calls rows %v, %v; want 1", rows, err)
			}
			r := rows[0]
			if r.AttemptID != a.ID || r.SIPCode != tc.sipCode || r.Direction != model.Outbound || r.CallID == "" {
				t.Errorf("CDR row %+v does not match attempt %s (SIP %d)", r, a.ID, tc.sipCode)
			}
			// The fax's detail (Get) carries the row on its attempt.
			if a.SIP == nil || a.SIP.CallID != r.CallID || a.SIP.Codec != r.Codec || a.SIP.Sent != r.Sent {
				t.Errorf("attempt's SIP record %+v, want the row %+v", a.SIP, r)
			}
			if tc.status == model.FaxDelivered {
				checkDelivered(t, s, f, r, tc.transport)
			}
			if tc.farT38 == sip.T38Off && tc.trunkT38 == model.T38Request {
				checkRemembered(t, s, r)
			}
		})
	}
}

// checkDelivered checks what a delivered call left: the far end got the
// page, the CDR names the media, and the destination memory learnt it.
func checkDelivered(t *testing.T, s *sipEnv, f model.Fax, r faxout.SIPCall, tr model.Transport) {
	t.Helper()
	waitFarCall(t, s.far, r.CallID) // the far end stores the page when its side of the call ends
	if n := s.far.received(r.CallID); n != 1 {
		t.Errorf("far end stored %d pages, want 1", n)
	}
	if r.Transport != string(tr) || r.Sent == 0 || r.Received == 0 {
		t.Errorf("CDR transport %q packets %d/%d, want %s with traffic", r.Transport, r.Sent, r.Received, tr)
	}
	if tr == model.TransportT38 && (r.T38 == nil || r.T38.MaxBitRate != 14400) {
		t.Errorf("CDR T.38 parameters %+v, want max bit rate 14400", r.T38)
	}
	if tr == model.TransportG711 && r.Codec != "PCMU" {
		t.Errorf("CDR codec %q, want PCMU", r.Codec)
	}
	h, err := s.dests.Recall(s.ctx, f.To)
	if err != nil || !h.Known || h.T38 != (tr == model.TransportT38) {
		t.Errorf("destination memory %+v, %v; want T.38 %v", h, err, tr == model.TransportT38)
	}
}

func TestSIPTables(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		e := newEnv(t, st, envOptions{})
		d := faxout.NewDestinations(st, nil)
		steps := []struct {
			used line.DestHint
			ok   bool
			want line.DestHint
		}{
			{line.DestHint{T38: true, ECM: true}, true, line.DestHint{Known: true, T38: true, ECM: true}},
			{line.DestHint{T38: true, ECM: true}, false, line.DestHint{Known: true, T38: false, ECM: true}},
			{line.DestHint{T38: false, ECM: false}, true, line.DestHint{Known: true, T38: false, ECM: false}},
		}
		if h, err := d.Recall(e.ctx, "+12025550199"); err != nil || h.Known {
			t.Fatalf("unknown number recalled as %+v, %v", h, err)
		}
		for i, s := range steps {
			if err := d.Remember(e.ctx, "+12025550199", s.used, s.ok); err != nil {
				t.Fatal(err)
			}
			if h, err := d.Recall(e.ctx, "+12025550199"); err != nil || h != s.want {
				t.Errorf("step %d: recalled %+v, %v; want %+v", i, h, err, s.want)
			}
		}

		f := e.wait(t, e.submit(t, e.w.UserAActor, e.doc(t, e.w.UserA, 1), "+12025550100", 0).ID, nil)
		cdr := faxout.NewSIPCalls(st)
		now := time.Now().UTC().Truncate(time.Microsecond)
		row := faxout.SIPCall{CallID: "abc@127.0.0.1", Direction: model.Outbound, FaxID: f.ID, AttemptID: "att1",
			SIPCode: 200, Transport: "t38", T38: &model.T38Params{Version: 0, MaxBitRate: 14400, MaxDatagram: 400},
			Sent: 10, Received: 12, Lost: 1, Recovered: 1, StartedAt: now, EndedAt: now.Add(time.Minute)}
		for range 2 { // the second insert of the same Call-ID and direction is ignored
			if err := cdr.Insert(e.ctx, row); err != nil {
				t.Fatal(err)
			}
		}
		got, err := cdr.List(e.ctx, f.TenantID, f.ID)
		if err != nil || len(got) != 1 {
			t.Fatalf("List = %v, %v; want one row", got, err)
		}
		if g := got[0]; g.TenantID != f.TenantID || g.T38 == nil || g.T38.MaxBitRate != 14400 || g.Lost != 1 ||
			!g.EndedAt.Equal(row.EndedAt) {
			t.Errorf("row read back as %+v", g)
		}
		if other, err := cdr.List(e.ctx, e.w.B.ID, f.ID); err != nil || len(other) != 0 {
			t.Errorf("another tenant sees %d rows (%v)", len(other), err)
		}
	})
}

// checkRemembered sends a second fax to a number where T.38 was refused
// and audio worked: the destination memory makes the line skip its T.38
// request, so the call goes straight through in audio.
func checkRemembered(t *testing.T, s *sipEnv, first faxout.SIPCall) {
	t.Helper()
	if first.ReinvitesSent == 0 {
		t.Fatalf("first call sent no T.38 re-INVITE: %+v", first)
	}
	f := s.wait(t, s.submit(t, s.w.UserAActor, s.doc(t, s.w.UserA, 1), "+12025550100", 0).ID, nil)
	rows, err := s.cdr.List(s.ctx, f.TenantID, f.ID)
	if f.Status != model.FaxDelivered || err != nil || len(rows) != 1 {
		t.Fatalf("second fax %s (%s), CDR %v %v", f.Status, f.ResultText, rows, err)
	}
	if r := rows[0]; r.ReinvitesSent != 0 || r.Transport != string(model.TransportG711) {
		t.Errorf("second call: %d re-INVITEs sent over %s; want none, g711", r.ReinvitesSent, r.Transport)
	}
}

// TestSIPTrunkCancel cancels faxes whose SIP calls are ringing (CANCEL) and
// answered (BYE): the fax ends canceled at once, and the SIP record shows
// the call's end.
func TestSIPTrunkCancel(t *testing.T) {
	cases := []struct {
		name     string
		to       string
		answered bool
	}{
		{"ringing: CANCEL", "+12025550408", false},
		{"answered: BYE", "+12025550100", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSIPEnv(t, storetest.OpenSQLite(t), sip.T38Accept, func(in *faxout.TrunkInput) {
				in.RingTimeout = faxout.MaxRingTimeout
			})
			f := s.submit(t, s.w.UserAActor, s.doc(t, s.w.UserA, 1), tc.to, 3)
			want := model.AttemptRinging
			if tc.answered {
				want = model.AttemptConnected
			}
			s.wait(t, f.ID, func(f model.Fax) bool { return len(f.Attempts) == 1 && f.Attempts[0].Status == want })
			got, err := s.svc.Cancel(s.ctx, s.w.UserAActor, f.ID)
			if err != nil || got.Status != model.FaxCanceled || len(got.Attempts) != 1 {
				t.Fatalf("Cancel: %+v %v", got, err)
			}
			if a := got.Attempts[0]; a.Cause != model.CauseCanceled || a.AnsweredAt.IsZero() != !tc.answered {
				t.Errorf("attempt cause %q answered at %v; want canceled, answered %v", a.Cause, a.AnsweredAt, tc.answered)
			}
			rows, err := s.cdr.List(s.ctx, got.TenantID, got.ID)
			if err != nil || len(rows) != 1 || rows[0].Cause != string(sip.CauseCanceled) {
				t.Errorf("CDR rows %+v, %v; want one, cause canceled", rows, err)
			}
		})
	}
}
