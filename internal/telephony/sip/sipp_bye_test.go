package sip

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/sip/media"
	"faxgate/internal/telephony/t30"
	"faxgate/internal/telephony/udptl"
)

// TestSippByeMidTransfer: the far end hangs up (BYE) while the page is on
// the line, in both directions. SIPp does the signalling; its SDP points
// the media at a real fax machine run here (package media's engine: a
// sender when SIPp calls us, a receiver when we call SIPp), so our side
// really negotiates T.30 and starts the page. When our side reports the
// T.30 negotiation, the test sends SIPp an INFO in the dialog; SIPp waits
// 4 s more (training, TCF, then page data) and sends BYE. Our side must
// answer the BYE, end the call with cause fax_transfer (negotiated, no
// page done, hung up by the far end), and release the call, its media
// ports and its sockets.
//
// Not parallel: it counts the process's open file descriptors, which
// other tests would change meanwhile; its two cases run side by side.
func TestSippByeMidTransfer(t *testing.T) {
	sippBinary(t)
	fdsBefore := openFDs(t)
	t.Cleanup(func() {
		// Every UA of the subtests is closed by now: their listeners,
		// media sockets and SIPp's trigger sockets must be gone too.
		deadline := time.Now().Add(5 * time.Second)
		n := openFDs(t)
		for ; n > fdsBefore && time.Now().Before(deadline); n = openFDs(t) {
			time.Sleep(50 * time.Millisecond)
		}
		if n > fdsBefore {
			t.Errorf("%d file descriptors open after the calls, %d before", n, fdsBefore)
		}
	})
	t.Run("inbound T.38", func(t *testing.T) {
		t.Parallel()
		pool := sippPool(t, 41000)
		far := startFarFax(t, t30.Caller, t30.Send, media.T38)
		results := make(chan CallResult, 1)
		negotiated := make(chan string, 1)
		var ev events
		ua := startUA(t, "B", Config{RTPPorts: pool, Handler: func(ctx context.Context, ic IncomingCall) Decision {
			pol := DefaultPolicy() // T.38 request
			pol.ReinviteAfter = 300 * time.Millisecond
			return Accept(Receive{RxFile: filepath.Join(t.TempDir(), "rx.tif"), StationID: "+1 555 0001", Policy: pol,
				Progress: func(e Event) {
					ev.add(e)
					if e.Kind == EventNegotiate {
						select {
						case negotiated <- e.CallID:
						default:
						}
					}
				}}, func(r CallResult) { results <- r })
		}})
		sippPort, wait := startSipp(t, sippRun{scenario: "uac_bye_mid_fax.xml", uac: true, ua: ua, service: testDID,
			timeout: 90 * time.Second, keys: map[string]string{"fax_port": fmt.Sprint(far.port)}})
		res := byeAfterNegotiation(t, sippPort, negotiated, results)
		if s := wait(); s.exit != 0 {
			t.Errorf("sipp exit status %d, want 0", s.exit)
		}
		checkByeMidFax(t, res, media.T38, ev.kinds())
		if r := res.Fax; r.PagesRx != 0 {
			t.Errorf("%d pages received; the BYE came during the first", r.PagesRx)
		}
		waitIdle(t, ua)
		waitPortsFree(t, pool)
		far.stop(t)
	})
	t.Run("outbound G.711", func(t *testing.T) {
		t.Parallel()
		pool := sippPool(t, 41100)
		far := startFarFax(t, t30.Answerer, t30.Receive, media.G711)
		ua := startUA(t, "A", Config{RTPPorts: pool})
		sippPort, wait := startSipp(t, sippRun{scenario: "uas_bye_mid_fax.xml", timeout: 90 * time.Second,
			keys: map[string]string{"fax_port": fmt.Sprint(far.port)}})
		negotiated := make(chan string, 1)
		var ev events
		pol := DefaultPolicy()
		pol.T38 = T38Accept // SIPp never asks: the fax runs in G.711
		d := sippDial(t, sippPort, pol)
		d.MaxDuration = 80 * time.Second
		d.Progress = func(e Event) {
			ev.add(e)
			if e.Kind == EventNegotiate {
				select {
				case negotiated <- e.CallID:
				default:
				}
			}
		}
		results := make(chan CallResult, 1)
		go func() {
			r, err := ua.SendFax(context.Background(), d)
			if err != nil {
				t.Error(err)
			}
			results <- r
		}()
		res := byeAfterNegotiation(t, sippPort, negotiated, results)
		if s := wait(); s.exit != 0 {
			t.Errorf("sipp exit status %d, want 0", s.exit)
		}
		checkByeMidFax(t, res, media.G711, ev.kinds())
		if r := res.Fax; r.PagesTx != 0 {
			t.Errorf("%d pages sent; the BYE came during the first", r.PagesTx)
		}
		waitIdle(t, ua)
		waitPortsFree(t, pool)
		far.stop(t)
	})
}

// byeAfterNegotiation waits for our side's T.30 negotiation, tells SIPp
// (an INFO in the call) to hang up, and returns our side's result.
func byeAfterNegotiation(t *testing.T, sippPort int, negotiated <-chan string, results <-chan CallResult) CallResult {
	t.Helper()
	select {
	case callID := <-negotiated:
		sippTrigger(t, sippPort, callID)
	case r := <-results:
		t.Fatalf("the call ended before T.30 negotiated: %s", describe(r))
	case <-time.After(60 * time.Second):
		t.Fatal("T.30 did not negotiate within 60 s")
	}
	select {
	case r := <-results:
		return r
	case <-time.After(60 * time.Second):
		t.Fatal("the call did not end within 60 s of the trigger")
	}
	return CallResult{}
}

// checkByeMidFax checks the result of a call the far end hung up mid-page.
func checkByeMidFax(t *testing.T, res CallResult, transport media.Transport, kinds []EventKind) {
	t.Helper()
	t.Logf("result: %s; events %v", describe(res), kinds)
	if !res.Answered || res.SIPCode != 200 || !res.RemoteHangup || !res.Negotiated || res.OK() {
		t.Errorf("got %s (remote hangup %v, negotiated %v); want answered, negotiated, hung up by the far end",
			describe(res), res.RemoteHangup, res.Negotiated)
	}
	if res.Cause != CauseFaxTransfer {
		t.Errorf("cause %q (%s), want fax_transfer", res.Cause, res.CauseText)
	}
	if res.Transport != transport {
		t.Errorf("transport %q, want %q", res.Transport, transport)
	}
	if res.Packets.Received == 0 || res.Packets.Sent == 0 {
		t.Errorf("packets %+v: the media did not flow both ways", res.Packets)
	}
	var hangup bool
	for _, k := range kinds {
		hangup = hangup || k == EventHangup
	}
	if !hangup {
		t.Errorf("no hangup event: %v", kinds)
	}
}

// sippTrigger sends one INFO with the call's Call-ID to SIPp (its
// scenario waits for it before hanging up). Once only: a repeat would
// reach SIPp during its pause and fail the call as unexpected.
func sippTrigger(t *testing.T, sippPort int, callID string) {
	t.Helper()
	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", sippPort))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().(*net.UDPAddr)
	msg := fmt.Sprintf("INFO sip:sipp@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKtrigger%d\r\n"+
		"From: <sip:test@127.0.0.1>;tag=trigger\r\nTo: <sip:sipp@127.0.0.1>\r\nCall-ID: %s\r\nCSeq: 1 INFO\r\n"+
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", sippPort, local.Port, time.Now().UnixNano(), callID)
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
}

// farFax is a fax machine at the far end of a SIPp call: package media's
// engine on its own socket, learning our address from our first packet.
type farFax struct {
	port int
	conn *net.UDPConn
	eng  *media.Engine
}

func startFarFax(t *testing.T, role t30.Role, dir t30.Direction, tr media.Transport) *farFax {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	opts := t30.Options{Role: role, Direction: dir, ECM: true, Modems: t30.AllModems, LocalIdent: "+1 555 0009"}
	if dir == t30.Send {
		opts.TxFile = testDocument(t)
	} else {
		opts.RxFile = filepath.Join(t.TempDir(), "far-rx.tif")
	}
	p := media.Params{Transport: tr, Audio: media.AudioParams{PayloadType: rtp.PTPCMU},
		T38: media.T38Params{Options: t30.T38Options{MaxBitRate: 14400},
			Encoder: udptl.EncoderConfig{Mode: udptl.Redundancy, Depth: 3, MaxDatagram: 400}}}
	eng, err := media.Start(media.Config{Conn: conn, Fax: opts, Logger: testLogger(t, "far")}, p)
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	f := &farFax{port: conn.LocalAddr().(*net.UDPAddr).Port, conn: conn, eng: eng}
	t.Cleanup(func() { f.stop(t) })
	return f
}

func (f *farFax) stop(t *testing.T) {
	if f.eng != nil {
		r := f.eng.Stop()
		t.Logf("far fax machine: %+v", r.Fax)
		f.eng = nil
		f.conn.Close()
	}
}

// sippPool is a UA's own RTP port pool (20 pairs from lo), so the test
// can see its ports come back.
func sippPool(t *testing.T, lo int) *rtp.PortPool {
	p, err := rtp.NewPortPool(lo, lo+39)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func waitPortsFree(t *testing.T, p *rtp.PortPool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for p.InUse() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d RTP port pairs still leased after the call", p.InUse())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openFDs counts the process's open file descriptors (Linux).
func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count file descriptors: %v", err)
	}
	return len(ents)
}
