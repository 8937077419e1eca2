package media

import (
	"errors"
	"net"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
	"faxgate/internal/telephony/linesim/testdoc"
	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/t30"
	"faxgate/internal/telephony/udptl"
)

func udpSocket(t *testing.T) (*net.UDPConn, netip.AddrPort) {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, c.LocalAddr().(*net.UDPAddr).AddrPort()
}

func t38To(remote netip.AddrPort) Params {
	return Params{Transport: T38, T38: T38Params{
		Remote:  remote,
		Options: t30.T38Options{MaxBitRate: 14400},
		Encoder: udptl.EncoderConfig{Mode: udptl.Redundancy, Depth: 3, MaxDatagram: 400},
	}}
}

// TestSwitchMidCall runs a real-time fax between two engines over
// loopback UDP: it starts in G.711 (PCMA), both sides switch to T.38 a
// second later (as after a re-INVITE), and the page arrives intact.
func TestSwitchMidCall(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time fax call; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	tx, rx := filepath.Join(dir, "tx.tif"), filepath.Join(dir, "rx.tif")
	if err := testdoc.WriteFile(tx, faxtiff.Standard, 1, testdoc.Options{TextLines: 10}); err != nil {
		t.Fatal(err)
	}
	ca, aa := udpSocket(t)
	cb, ab := udpSocket(t)
	audio := func(to netip.AddrPort) Params {
		return Params{Transport: G711, Audio: AudioParams{Remote: to, PayloadType: rtp.PTPCMA}}
	}
	ea, err := Start(Config{Conn: ca, Fax: t30.Options{Role: t30.Caller, Direction: t30.Send, TxFile: tx, ECM: true}}, audio(ab))
	if err != nil {
		t.Fatal(err)
	}
	eb, err := Start(Config{Conn: cb, Fax: t30.Options{Role: t30.Answerer, Direction: t30.Receive, RxFile: rx, ECM: true}}, audio(aa))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := ea.Switch(t38To(ab)); err != nil {
		t.Fatal(err)
	}
	if err := eb.Switch(t38To(aa)); err != nil {
		t.Fatal(err)
	}
	for _, e := range []*Engine{ea, eb} {
		select {
		case <-e.FaxDone():
		case <-time.After(90 * time.Second):
			t.Fatal("the fax did not finish")
		}
	}
	time.Sleep(500 * time.Millisecond) // the last DCN repeats
	ra, rb := ea.Stop(), eb.Stop()
	t.Logf("A %+v", ra)
	t.Logf("B %+v", rb)
	if !ra.Fax.OK || !rb.Fax.OK || ra.Transport != T38 || ra.Switches != 1 || rb.Switches != 1 {
		t.Fatalf("A ok %v %s switches %d, B ok %v", ra.Fax.OK, ra.Transport, ra.Switches, rb.Fax.OK)
	}
	if ra.RTP.Sent < 40 || rb.RTP.Received < 40 || ra.UDPTL.Sent < 100 || rb.UDPTL.Received < 100 {
		t.Errorf("counters A rtp %+v udptl %+v, B rtp %+v udptl %+v", ra.RTP, ra.UDPTL, rb.RTP, rb.UDPTL)
	}
	a, _ := faxtiff.ReadFile(tx)
	b, err := faxtiff.ReadFile(rx)
	if err != nil || len(b) != 1 || faxtiff.Equal(a[0], b[0]) != 0 {
		t.Errorf("received page differs (%v)", err)
	}
	if !ea.Negotiated() || ea.Pages() != 1 || eb.Pages() != 1 {
		t.Errorf("negotiated %v pages %d/%d", ea.Negotiated(), ea.Pages(), eb.Pages())
	}
	// Stopped engines refuse commands; Stop stays idempotent.
	if err := ea.Hangup(); !errors.Is(err, ErrStopped) {
		t.Errorf("Hangup after Stop: %v", err)
	}
	if again := ea.Stop(); again.Fax.Code != ra.Fax.Code {
		t.Error("second Stop changed the result")
	}
}

// TestStopUnfinished: stopping a running fax ends it as a dropped call;
// Hangup does the same with the far end's BYE.
func TestStopUnfinished(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, _ := udpSocket(t)
	_, far := udpSocket(t)
	e, err := Start(Config{Conn: c, Fax: t30.Options{Role: t30.Answerer, Direction: t30.Receive, RxFile: filepath.Join(dir, "rx.tif")}},
		t38To(far))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := e.Hangup(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-e.FaxDone():
	case <-time.After(5 * time.Second):
		t.Fatal("Hangup did not end the fax")
	}
	if err := e.Switch(Params{Transport: G711, Audio: AudioParams{Remote: far, PayloadType: rtp.PTPCMU}}); !errors.Is(err, ErrFaxOver) {
		t.Errorf("Switch after phase E: %v, want ErrFaxOver", err)
	}
	r := e.Stop()
	if r.Fax.OK || r.Fax.Class != t30.ClassRemoteHangup || r.UDPTL.Sent == 0 {
		t.Errorf("result %+v", r)
	}
	if _, err := Start(Config{Conn: c, Fax: t30.Options{Role: t30.Caller, Direction: t30.Send, TxFile: filepath.Join(dir, "missing.tif")}},
		t38To(far)); err == nil {
		t.Error("Start accepted a missing TIFF")
	}
}

func TestLooksLikeRTP(t *testing.T) {
	pkt := func(b0, b1 byte) []byte { b := make([]byte, 172); b[0], b[1] = b0, b1; return b }
	cases := []struct {
		b    []byte
		want bool
	}{
		{pkt(0x80, 0x00), true},
		{pkt(0x80, 0x88), true}, // marker + PCMA
		{pkt(0x80, 101), true},
		{pkt(0x80, 96), false},
		{pkt(0x00, 0x00), false}, // UDPTL seq 0
		{pkt(0x00, 0x05), false},
		{[]byte{0x80, 0x00}, false},
	}
	for i, tc := range cases {
		if got := looksLikeRTP(tc.b, rtp.PTPCMU); got != tc.want {
			t.Errorf("case %d: %v", i, got)
		}
	}
}
