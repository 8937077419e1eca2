package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faxgate/internal/telephony/sip/media"
	"faxgate/internal/telephony/t30"
)

// policy returns DefaultPolicy with another T.38 mode.
func policy(m T38Mode) Policy {
	p := DefaultPolicy()
	p.T38 = m
	return p
}

// TestFaxMatrix faxes one page from A to B over real UDP on 127.0.0.1 in
// each combination of T.38 policies, and checks both sides' CDRs and the
// received pages.
func TestFaxMatrix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		a, b       Policy
		transport  Transport
		wantOK     bool
		want       media.Transport
		wantCauseA Cause
		// fallback: A asked for T.38 and was refused (488), stayed in audio.
		fallback bool
	}{
		{name: "t38 request-accept", a: policy(T38Request), b: policy(T38Accept), wantOK: true, want: media.T38},
		{name: "t38 accept-request", a: policy(T38Accept), b: policy(T38Request), wantOK: true, want: media.T38},
		{name: "g711 off-off", a: policy(T38Off), b: policy(T38Off), wantOK: true, want: media.G711},
		{name: "fallback request-off", a: policy(T38Request), b: policy(T38Off), wantOK: true, want: media.G711, fallback: true},
		{name: "require-off fails", a: policy(T38Require), b: policy(T38Off), want: media.G711, wantCauseA: CauseFaxNegotiation},
		{name: "t38 over tcp", a: policy(T38Request), b: policy(T38Accept), transport: TCP, wantOK: true, want: media.T38},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			realTime(t)
			b := startReceiver(t, tc.b, Config{})
			a := startUA(t, "A", Config{})
			file := testDocument(t)
			var ev events
			d := dialB(b.ua, file, tc.a)
			d.Transport = tc.transport
			d.Progress = ev.add
			ra, err := a.SendFax(context.Background(), d)
			if err != nil {
				t.Fatalf("SendFax: %v", err)
			}
			rb := b.result(t)
			t.Logf("A: %s", describe(ra))
			t.Logf("B: %s", describe(rb))
			t.Logf("A events: %v", ev.kinds())
			if !ra.Answered || !rb.Answered || ra.SIPCode != 200 || ra.CallID != rb.CallID {
				t.Fatalf("call not answered properly: A %d %q, B %d %q", ra.SIPCode, ra.CallID, rb.SIPCode, rb.CallID)
			}
			if ra.OK() != tc.wantOK || rb.OK() != tc.wantOK {
				t.Fatalf("OK: A %v B %v, want %v", ra.OK(), rb.OK(), tc.wantOK)
			}
			if ra.Transport != tc.want || rb.Transport != tc.want {
				t.Errorf("transport: A %s B %s, want %s", ra.Transport, rb.Transport, tc.want)
			}
			if tc.wantOK {
				samePages(t, file, b.file(rb.CallID))
				if ra.Cause != CauseNone || rb.Cause != CauseNone {
					t.Errorf("causes of an OK call: A %q B %q", ra.Cause, rb.Cause)
				}
				if ra.Fax.PagesTx != 1 || rb.Fax.PagesRx != 1 {
					t.Errorf("pages: A sent %d, B received %d", ra.Fax.PagesTx, rb.Fax.PagesRx)
				}
			} else if ra.Cause != tc.wantCauseA {
				t.Errorf("A cause %q, want %q", ra.Cause, tc.wantCauseA)
			}
			checkMedia(t, "A", ra)
			checkMedia(t, "B", rb)
			if tc.fallback && (ra.ReinvitesSent < 1 || !ev.has(EventFallback) || rb.ReinvitesReceived < 1) {
				t.Errorf("fallback: A sent %d re-INVITEs (fallback event %v), B received %d",
					ra.ReinvitesSent, ev.has(EventFallback), rb.ReinvitesReceived)
			}
			if tc.want == media.T38 && (ra.T38 == nil || rb.T38 == nil) {
				t.Errorf("T.38 parameters missing: A %+v B %+v", ra.T38, rb.T38)
			}
			if ra.T38 != nil && (ra.T38.MaxBitRate != 14400 || ra.T38.UDPEC != "t38UDPRedundancy" || ra.T38.Redundancy != 3) {
				t.Errorf("A T.38 parameters %+v", *ra.T38)
			}
		})
	}
}

// checkMedia checks the packet counters of an answered call are plausible:
// media flowed both ways on the transport used.
func checkMedia(t *testing.T, side string, r CallResult) {
	t.Helper()
	leg := r.RTP
	if r.Transport == media.T38 {
		leg = r.UDPTL
	}
	if leg.Sent < 10 || leg.Received < 10 {
		t.Errorf("%s: %s counters %+v: media did not flow", side, r.Transport, leg)
	}
	if r.Packets != r.RTP.Add(r.UDPTL) {
		t.Errorf("%s: total %+v is not RTP %+v + UDPTL %+v", side, r.Packets, r.RTP, r.UDPTL)
	}
}

// TestSetupFailures covers calls that are never answered: the cause and
// the SIP status each side records.
func TestSetupFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		handler   Handler
		dial      func(d *Dial)
		auth      *ServerAuth
		wantCode  int
		wantCause Cause
		// wantB is the cause B's Done callback gets ("" = not called).
		wantB Cause
	}{
		{name: "unknown DID 404", dial: func(d *Dial) { d.User = "15559999" }, wantCode: 404, wantCause: CauseUnreachable},
		{name: "busy 486", handler: rejectAll(486), wantCode: 486, wantCause: CauseBusy},
		{name: "forbidden 403", handler: rejectAll(403), wantCode: 403, wantCause: CauseRejected},
		{name: "capacity 503", handler: rejectAll(503), wantCode: 503, wantCause: CauseNetwork},
		{
			name: "no answer then CANCEL", handler: ringFor(30 * time.Second),
			dial:     func(d *Dial) { d.Timeout = 1500 * time.Millisecond },
			wantCode: 487, wantCause: CauseNoAnswer, wantB: CauseCanceled,
		},
		{
			name: "wrong password 401", auth: &ServerAuth{Realm: "faxgate.test", Lookup: lookup},
			dial:     func(d *Dial) { d.Auth = Auth{User: "alice", Pass: "wrong"} },
			wantCode: 401, wantCause: CauseRejected,
		},
		{
			name: "no credentials 401", auth: &ServerAuth{Realm: "faxgate.test", Lookup: lookup},
			wantCode: 401, wantCause: CauseRejected,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bDone := make(chan CallResult, 1)
			h := tc.handler
			if h == nil {
				h = func(ctx context.Context, ic IncomingCall) Decision {
					if ic.DID != testDID {
						return RejectWith(404)
					}
					return Accept(Receive{RxFile: t.TempDir() + "/rx.tif", Policy: policy(T38Accept)}, func(r CallResult) { bDone <- r })
				}
			}
			b := startUA(t, "B", Config{Handler: wrapDone(h, bDone), InboundAuth: tc.auth})
			a := startUA(t, "A", Config{})
			d := dialB(b, testDocument(t), policy(T38Request))
			if tc.dial != nil {
				tc.dial(&d)
			}
			start := time.Now()
			ra, err := a.SendFax(context.Background(), d)
			if err != nil {
				t.Fatalf("SendFax: %v", err)
			}
			t.Logf("A after %v: %s", time.Since(start).Round(time.Millisecond), describe(ra))
			if ra.Answered || ra.FaxRan || ra.Fax.Code != -1 || ra.SIPCode != tc.wantCode || ra.Cause != tc.wantCause {
				t.Errorf("A: answered %v fax %v code %d cause %q; want code %d cause %q",
					ra.Answered, ra.FaxRan, ra.SIPCode, ra.Cause, tc.wantCode, tc.wantCause)
			}
			if tc.wantB != CauseNone {
				select {
				case rb := <-bDone:
					if rb.Answered || rb.Cause != tc.wantB {
						t.Errorf("B: answered %v cause %q, want %q", rb.Answered, rb.Cause, tc.wantB)
					}
				case <-time.After(5 * time.Second):
					t.Error("B's Done was not called")
				}
			}
			if n := b.ActiveCalls() + a.ActiveCalls(); n != 0 {
				t.Errorf("%d calls still active", n)
			}
		})
	}
}

func rejectAll(code int) Handler {
	return func(context.Context, IncomingCall) Decision { return RejectWith(code) }
}

func ringFor(d time.Duration) Handler {
	return func(_ context.Context, ic IncomingCall) Decision {
		return Accept(Receive{RxFile: "/nonexistent-dir-never-used/rx.tif", RingFor: d, Policy: policy(T38Accept)}, nil)
	}
}

// wrapDone makes an accepting handler's Done also report to ch.
func wrapDone(h Handler, ch chan CallResult) Handler {
	return func(ctx context.Context, ic IncomingCall) Decision {
		dec := h(ctx, ic)
		done := dec.Done
		dec.Done = func(r CallResult) {
			if done != nil {
				done(r)
			}
			select {
			case ch <- r:
			default:
			}
		}
		return dec
	}
}

func lookup(user string) (string, bool) { return "secret", user == "alice" }

// TestUnreachable dials a port nobody listens on: no response at all,
// given up at the ring timeout without CANCEL.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	a := startUA(t, "A", Config{})
	dead := startUA(t, "dead", Config{Transports: []Transport{TCP}}) // its UDP port stays closed
	d := dialB(dead, testDocument(t), policy(T38Off))
	d.Timeout = time.Second
	ra, err := a.SendFax(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if ra.Answered || ra.Cause != CauseUnreachable || ra.SIPCode != 0 {
		t.Errorf("got %s, want unreachable without a status", describe(ra))
	}
	// Over TCP the refused connection is reported at once.
	d.Target = fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	d.Transport = TCP
	ra, err = a.SendFax(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if ra.Cause != CauseUnreachable {
		t.Errorf("TCP refused: got %s, want unreachable", describe(ra))
	}
}

func freeTCPPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestDigestAuth: B demands digest credentials; A answers the challenge
// and the fax goes through.
func TestDigestAuth(t *testing.T) {
	realTime(t)
	b := startReceiver(t, policy(T38Accept), Config{InboundAuth: &ServerAuth{Realm: "faxgate.test", Lookup: lookup}})
	a := startUA(t, "A", Config{})
	file := testDocument(t)
	d := dialB(b.ua, file, policy(T38Request))
	d.Auth = Auth{User: "alice", Pass: "secret"}
	ra, err := a.SendFax(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	rb := b.result(t)
	t.Logf("A: %s", describe(ra))
	if !ra.OK() || !rb.OK() {
		t.Fatalf("fax failed: A %s / B %s", describe(ra), describe(rb))
	}
	samePages(t, file, b.file(rb.CallID))
}

// TestHangupMidTransfer ends the call in the middle of the page, once
// from each side: the other side's fax engine reports the dropped call.
func TestHangupMidTransfer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		byA      bool
		mode     T38Mode
		transfer media.Transport
	}{
		{"A hangs up (t38)", true, T38Request, media.T38},
		{"B hangs up (g711)", false, T38Off, media.G711},
	} {
		t.Run(tc.name, func(t *testing.T) {
			realTime(t)
			var bUA atomic.Pointer[UA]
			b := startReceiver(t, policy(tc.mode), Config{})
			bUA.Store(b.ua)
			a := startUA(t, "A", Config{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			d := dialB(b.ua, testDocument(t), policy(tc.mode))
			var once sync.Once
			d.Progress = func(ev Event) {
				// Phase B is done; training and the page follow: hang up
				// a few seconds into them.
				if ev.Kind == EventNegotiate {
					once.Do(func() {
						time.AfterFunc(5*time.Second, func() {
							if tc.byA {
								cancel()
							} else {
								bUA.Load().Hangup(ev.CallID)
							}
						})
					})
				}
			}
			ra, err := a.SendFax(ctx, d)
			rb := b.result(t)
			t.Logf("A: %s (err %v)", describe(ra), err)
			t.Logf("B: %s", describe(rb))
			hanger, other := ra, rb
			if !tc.byA {
				hanger, other = rb, ra
			}
			if tc.byA && !errors.Is(err, context.Canceled) {
				t.Errorf("SendFax error %v, want context.Canceled", err)
			}
			if hanger.Cause != CauseCanceled || hanger.RemoteHangup || hanger.Fax.OK {
				t.Errorf("side hanging up: cause %q remote %v fax ok %v", hanger.Cause, hanger.RemoteHangup, hanger.Fax.OK)
			}
			if !other.RemoteHangup || other.Fax.OK || other.Fax.Class != t30.ClassRemoteHangup || other.Cause != CauseFaxTransfer {
				t.Errorf("other side: remote %v fax ok %v class %q cause %q; want remote hangup, fax_transfer",
					other.RemoteHangup, other.Fax.OK, other.Fax.Class, other.Cause)
			}
			// The side that hangs up may be a step behind in T.30; the other
			// one, whose cause says fax_transfer, got to phase B.
			if ra.Transport != tc.transfer || !other.Negotiated {
				t.Errorf("transport %s, other side negotiated %v", ra.Transport, other.Negotiated)
			}
		})
	}
}

// TestSessionRefreshMidTransfer runs session timers of 6 s, so A (the
// refresher) re-INVITEs with unchanged SDP every 3 s during the fax; the
// transfer must not notice: one media switch at most, pages identical.
func TestSessionRefreshMidTransfer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		mode T38Mode
		want media.Transport
	}{
		{"t38", T38Request, media.T38},
		{"g711", T38Off, media.G711},
	} {
		t.Run(tc.name, func(t *testing.T) {
			realTime(t)
			timers := Config{SessionExpires: 6 * time.Second, MinSE: 2 * time.Second}
			b := startReceiver(t, policy(T38Accept), timers)
			a := startUA(t, "A", timers)
			file := testDocument(t)
			ra, err := a.SendFax(context.Background(), dialB(b.ua, file, policy(tc.mode)))
			if err != nil {
				t.Fatal(err)
			}
			rb := b.result(t)
			t.Logf("A: %s", describe(ra))
			t.Logf("B: %s", describe(rb))
			if !ra.OK() || !rb.OK() {
				t.Fatalf("fax failed")
			}
			samePages(t, file, b.file(rb.CallID))
			if ra.SessionExpires != 6*time.Second || rb.SessionExpires != 6*time.Second {
				t.Errorf("session expires A %v B %v", ra.SessionExpires, rb.SessionExpires)
			}
			// A ~30 s call refreshes every 3 s; allow for a loaded machine.
			if ra.Refreshes < 4 || rb.Refreshes < 4 {
				t.Errorf("refreshes A %d B %d, want several each", ra.Refreshes, rb.Refreshes)
			}
			want := 0
			if tc.want == media.T38 {
				want = 1
			}
			if ra.Transport != tc.want || ra.Switches != want || rb.Switches != want {
				t.Errorf("transport %s, switches A %d B %d; want %s and %d", ra.Transport, ra.Switches, rb.Switches, tc.want, want)
			}
		})
	}
}
