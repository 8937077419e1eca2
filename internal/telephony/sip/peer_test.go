package sip

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"faxgate/internal/telephony/sdp"
	"faxgate/internal/telephony/sip/media"
)

// The tests here script the far end with sipgo itself (as SIPp would),
// to produce what two faxgate UAs never send each other: both media in
// one offer, broken SDP, tiny session timers, and glare on purpose.

// peer is a scripted SIP endpoint on 127.0.0.1 (UDP).
type peer struct {
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	conn   net.PacketConn
	port   int
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{conn: conn, port: conn.LocalAddr().(*net.UDPAddr).Port}
	lg := testLogger(t, "peer")
	if p.ua, err = sipgo.NewUA(sipgo.WithUserAgent("peer"),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(lg)),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(lg))); err != nil {
		t.Fatal(err)
	}
	if p.srv, err = sipgo.NewServer(p.ua, sipgo.WithServerLogger(lg)); err != nil {
		t.Fatal(err)
	}
	if p.client, err = sipgo.NewClient(p.ua, sipgo.WithClientLogger(lg), sipgo.WithClientHostname("127.0.0.1"),
		sipgo.WithClientPort(p.port), sipgo.WithClientConnectionAddr(conn.LocalAddr().String())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.ua.Close(); conn.Close() })
	return p
}

// serve starts serving the listener (after the handlers are set); the
// peer's requests leave from it too.
func (p *peer) serve() {
	go p.srv.ServeUDP(p.conn)
	for p.ua.TransportLayer().Pool("udp").Get(p.conn.LocalAddr().String()) == nil {
		time.Sleep(time.Millisecond)
	}
}

func (p *peer) contact() sip.ContactHeader {
	return sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "peer", Host: "127.0.0.1", Port: p.port}}
}

// request builds an out-of-dialog request to our UA.
func (p *peer) request(method sip.RequestMethod, ua *UA, user string, body string) *sip.Request {
	req := sip.NewRequest(method, sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: ua.Port()})
	ct := p.contact()
	req.AppendHeader(&ct)
	if body != "" {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody([]byte(body))
	}
	return req
}

func (p *peer) do(t *testing.T, req *sip.Request) *sip.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.client.Do(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", req.Method, err)
	}
	return res
}

// sdpOffer is a far offer with the given m= sections.
func sdpOffer(port int, sections ...string) string {
	s := fmt.Sprintf("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n")
	for _, m := range sections {
		s += strings.ReplaceAll(m, "PORT", fmt.Sprint(port))
	}
	return s
}

const (
	audioSection = "m=audio PORT RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\n"
	imageSection = "m=image PORT udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n" +
		"a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxDatagram:400\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n"
)

func TestOptions(t *testing.T) {
	t.Parallel()
	ua := startUA(t, "B", Config{})
	p := newPeer(t)
	p.serve()
	res := p.do(t, p.request(sip.OPTIONS, ua, "", ""))
	if res.StatusCode != 200 || !strings.Contains(headerValue(res, "Allow"), "INVITE") ||
		!strings.Contains(headerValue(res, "Supported"), "timer") {
		t.Errorf("OPTIONS: %s", res.String())
	}
}

// TestInviteRejections sends INVITEs our UA must refuse before any call.
func TestInviteRejections(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	handled := 0
	ua := startUA(t, "B", Config{Handler: func(context.Context, IncomingCall) Decision {
		mu.Lock()
		handled++
		mu.Unlock()
		return RejectWith(486)
	}})
	p := newPeer(t)
	p.serve()
	cases := []struct {
		name string
		body string
		hdrs []sip.Header
		want int
		// wantHdr must be in the response: "Name: value".
		wantHdr string
	}{
		{name: "malformed SDP", body: "v=0\r\nthis is not sdp\r\n", want: 400},
		{name: "no SDP offer", want: 488},
		{name: "session interval too small", body: sdpOffer(4000, audioSection),
			hdrs: []sip.Header{sip.NewHeader("Session-Expires", "30"), sip.NewHeader("Supported", "timer")},
			want: 422, wantHdr: "Min-SE: 90"},
		{name: "broken Session-Expires", body: sdpOffer(4000, audioSection),
			hdrs: []sip.Header{sip.NewHeader("Session-Expires", "soon")}, want: 400},
		{name: "handler says busy", body: sdpOffer(4000, audioSection), want: 486},
	}
	for _, tc := range cases {
		req := p.request(sip.INVITE, ua, testDID, tc.body)
		for _, h := range tc.hdrs {
			req.AppendHeader(h)
		}
		res := p.do(t, req)
		if res.StatusCode != tc.want {
			t.Errorf("%s: got %d %s, want %d", tc.name, res.StatusCode, res.Reason, tc.want)
		}
		if tc.wantHdr != "" {
			name, val, _ := strings.Cut(tc.wantHdr, ": ")
			if got := headerValue(res, name); got != val {
				t.Errorf("%s: %s is %q, want %q", tc.name, name, got, val)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if handled != 1 {
		t.Errorf("the handler saw %d INVITEs; only the last one should reach it", handled)
	}
}

// TestOfferWithAudioAndImage: an initial INVITE offering m=audio and
// m=image is answered per policy: T.38 taken (audio port 0) when T.38 is
// allowed, audio taken (image port 0) when it is off.
func TestOfferWithAudioAndImage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode      T38Mode
		accepted  int // index of the accepted m= line
		transport media.Transport
	}{
		{T38Accept, 1, media.T38},
		{T38Off, 0, media.G711},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			t.Parallel()
			b := startReceiver(t, policy(tc.mode), Config{})
			p := newPeer(t)
			p.serve()
			dc := sipgo.NewDialogClientCache(p.client, p.contact())
			mediaConn, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer mediaConn.Close()
			offer := sdpOffer(mediaConn.LocalAddr().(*net.UDPAddr).Port, audioSection, imageSection)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			dlg, err := dc.Invite(ctx, sip.Uri{Scheme: "sip", User: testDID, Host: "127.0.0.1", Port: b.ua.Port()},
				[]byte(offer), sip.NewHeader("Content-Type", "application/sdp"))
			if err != nil {
				t.Fatal(err)
			}
			if err := dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := dlg.Ack(ctx); err != nil {
				t.Fatal(err)
			}
			ans, err := sdp.Parse(dlg.InviteResponse.Body())
			if err != nil {
				t.Fatal(err)
			}
			if len(ans.Media) != 2 || ans.Media[tc.accepted].Port == 0 || ans.Media[1-tc.accepted].Port != 0 {
				t.Fatalf("answer does not accept m=%d only:\n%s", tc.accepted, ans)
			}
			// The media runs: the far end hears from us on the accepted stream.
			_ = mediaConn.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 2048)
			if _, _, err := mediaConn.ReadFrom(buf); err != nil {
				t.Errorf("no media from the UA: %v", err)
			}
			if err := dlg.Bye(ctx); err != nil {
				t.Fatal(err)
			}
			rb := b.result(t)
			if rb.Transport != tc.transport || !rb.RemoteHangup {
				t.Errorf("B: %s", describe(rb))
			}
		})
	}
}

// TestGlare scripts a far end that, when our T.38 re-INVITE arrives,
// sends its own re-INVITE (we must answer 491) and answers ours with 491;
// we must back off 2.1-4 s (we own the Call-ID), try again, and on its 488
// stay in audio.
func TestGlare(t *testing.T) {
	t.Parallel()
	p := newPeer(t)
	ds := sipgo.NewDialogServerCache(p.client, p.contact())
	mediaConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mediaConn.Close()
	mport := mediaConn.LocalAddr().(*net.UDPAddr).Port

	type reinvite struct {
		at          time.Time
		theirStatus int // our UA's answer to the peer's re-INVITE
	}
	seen := make(chan reinvite, 4)
	var dlgMu sync.Mutex
	var dlg *sipgo.DialogServerSession
	p.srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		if to := req.To(); to != nil && to.Params.Has("tag") { // our re-INVITE
			dlgMu.Lock()
			d := dlg
			dlgMu.Unlock()
			n := len(seen)
			r := reinvite{at: time.Now()}
			if n == 0 {
				// Glare: our own re-INVITE first, then 491 to theirs.
				mine := sip.NewRequest(sip.INVITE, req.Contact().Address)
				mine.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
				mine.SetBody([]byte(sdpOffer(mport, imageSection)))
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if res, err := d.Do(ctx, mine); err == nil {
					r.theirStatus = res.StatusCode
				}
				cancel()
				_ = tx.Respond(sip.NewResponseFromRequest(req, 491, "Request Pending", nil))
			} else {
				_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
			}
			seen <- r
			return
		}
		d, err := ds.ReadInvite(req, tx)
		if err != nil {
			t.Error(err)
			return
		}
		dlgMu.Lock()
		dlg = d
		dlgMu.Unlock()
		body := strings.Replace(sdpOffer(mport, audioSection), "RTP/AVP 0 8", "RTP/AVP 0", 1)
		res := sip.NewSDPResponseFromRequest(d.InviteRequest, []byte(body))
		if err := d.WriteResponse(res); err != nil {
			t.Error(err)
		}
	})
	p.srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = ds.ReadAck(req, tx) })
	p.srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) { _ = ds.ReadBye(req, tx) })
	p.serve()

	a := startUA(t, "A", Config{})
	pol := policy(T38Request)
	pol.ReinviteAfter = 300 * time.Millisecond
	d := Dial{Target: fmt.Sprintf("127.0.0.1:%d", p.port), User: testDID, Policy: pol, TIFFPath: testDocument(t), Timeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ev events
	d.Progress = func(e Event) {
		ev.add(e)
		if e.Kind == EventFallback {
			time.AfterFunc(300*time.Millisecond, cancel) // enough: hang up
		}
	}
	ra, err := a.SendFax(ctx, d)
	t.Logf("A: %s (err %v) events %v", describe(ra), err, ev.kinds())
	if !ra.Answered {
		t.Fatal("not answered")
	}
	first, second := <-seen, <-seen
	if first.theirStatus != 491 {
		t.Errorf("our answer to the crossing re-INVITE: %d, want 491", first.theirStatus)
	}
	if gap := second.at.Sub(first.at); gap < 2100*time.Millisecond {
		t.Errorf("retried %v after the 491; the owner of the Call-ID waits 2.1-4 s", gap)
	}
	if ra.Glares != 2 || ra.ReinvitesSent != 2 || ra.ReinvitesReceived != 1 || ra.Transport != media.G711 || !ev.has(EventFallback) {
		t.Errorf("glares %d, re-INVITEs sent %d received %d, transport %s, fallback %v",
			ra.Glares, ra.ReinvitesSent, ra.ReinvitesReceived, ra.Transport, ev.has(EventFallback))
	}
}
