package sdp

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

var allRealWorld = map[string]string{
	"freeswitch audio": sdpFreeSWITCHAudio, "freeswitch t38": sdpFreeSWITCHT38,
	"freeswitch broken boolean": sdpFreeSWITCHBrokenBoolean, "freeswitch insist": sdpFreeSWITCHInsist,
	"asterisk audio": sdpAsteriskAudio, "asterisk t38": sdpAsteriskT38, "cisco": sdpCiscoT38,
	"audiocodes": sdpAudioCodesT38, "carrier both": sdpCarrierBoth, "ipv6": sdpIPv6, "noEC": sdpNoEC,
	"hold": sdpHold, "minimal": sdpMinimal, "t38 over rtp": sdpT38OverRTP,
}

// TestRoundTrip: Parse(Marshal(Parse(x))) == Parse(x), and Marshal is a
// fixed point from then on.
func TestRoundTrip(t *testing.T) {
	for name, s := range allRealWorld {
		d1 := mustParse(t, s)
		b1 := d1.Marshal()
		d2, err := Parse(b1)
		if err != nil {
			t.Fatalf("%s: reparse: %v\n%s", name, err, b1)
		}
		if !reflect.DeepEqual(d1, d2) {
			t.Errorf("%s: round trip differs:\n%s\nvs\n%s", name, b1, d2.Marshal())
		}
		if b2 := d2.Marshal(); string(b2) != string(b1) {
			t.Errorf("%s: Marshal not stable:\n%s\nvs\n%s", name, b1, b2)
		}
	}
}

// TestMarshalCanonical pins the exact text of a parsed carrier offer: CRLF,
// canonical T.38 names, typed attributes in a fixed order, unknown
// attributes kept.
func TestMarshalCanonical(t *testing.T) {
	in := "v=0\no=SBC 9 9 in ip4 198.51.100.7\nk=prompt\ni=info\ns=x\nt=0 0\nc=IN IP4 198.51.100.7\n" +
		"m=image 40004 UDPTL t38\na=sendrecv\na=T38FaxUdpEC:t38UDPFEC\na=t38maxdatagram:612\na=X-vendor:1\n" +
		"a=T38FaxFillBitRemoval:1\na=T38FaxMaxRate:9600\na=t38faxversion:1\n"
	want := "v=0\r\no=SBC 9 9 IN IP4 198.51.100.7\r\ns=x\r\ni=info\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nk=prompt\r\n" +
		"m=image 40004 UDPTL t38\r\na=T38FaxVersion:1\r\na=T38MaxBitRate:9600\r\na=T38FaxFillBitRemoval\r\n" +
		"a=T38FaxMaxDatagram:612\r\na=T38FaxUdpEC:t38UDPFEC\r\na=X-vendor:1\r\na=sendrecv\r\n"
	if got := mustParse(t, in).String(); got != want {
		t.Errorf("Marshal:\n%q\nwant\n%q", got, want)
	}
}

var local = LocalMedia{Addr: netip.MustParseAddr("192.0.2.1"), Port: 30000}

func TestOfferAudio(t *testing.T) {
	d, err := OfferAudio(LocalMedia{Addr: local.Addr, Port: 30000, TelephoneEvent: 101})
	if err != nil {
		t.Fatal(err)
	}
	want := "v=0\r\no=- 0 0 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
		"m=audio 30000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
		"a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n"
	if got := d.String(); got != want {
		t.Errorf("offer:\n%q\nwant\n%q", got, want)
	}
	roundTrip(t, d)

	d, err = OfferAudio(LocalMedia{Addr: netip.MustParseAddr("2001:db8::5"), Port: 30002, Codecs: []Codec{PCMA}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.String(), "c=IN IP6 2001:db8::5\r\nt=0 0\r\nm=audio 30002 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n") {
		t.Errorf("IPv6 PCMA offer:\n%s", d)
	}
	roundTrip(t, d)
}

func TestOfferT38(t *testing.T) {
	p := DefaultT38Params()
	p.TranscodingMMR = true // never claimed
	d, err := OfferT38(local, p)
	if err != nil {
		t.Fatal(err)
	}
	want := "m=image 30000 udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n" +
		"a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxBuffer:2000\r\na=T38FaxMaxDatagram:400\r\n" +
		"a=T38FaxUdpEC:t38UDPRedundancy\r\n"
	if got := d.String(); !strings.HasSuffix(got, want) {
		t.Errorf("offer:\n%s\nwant suffix\n%s", got, want)
	}
	roundTrip(t, d)
}

func TestOfferErrors(t *testing.T) {
	bad := []struct {
		name string
		l    LocalMedia
		p    T38Params
	}{
		{"no address", LocalMedia{Port: 1}, T38Params{}},
		{"port 0", LocalMedia{Addr: local.Addr}, T38Params{}},
		{"port big", LocalMedia{Addr: local.Addr, Port: 70000}, T38Params{}},
		{"static te", LocalMedia{Addr: local.Addr, Port: 1, TelephoneEvent: 13}, T38Params{}},
		{"codec", LocalMedia{Addr: local.Addr, Port: 1, Codecs: []Codec{{Name: "G729", PT: 18, ClockRate: 8000}}}, T38Params{}},
	}
	for _, b := range bad {
		if _, err := OfferAudio(b.l); err == nil {
			t.Errorf("OfferAudio %s: no error", b.name)
		}
		if _, err := OfferT38(b.l, DefaultT38Params()); err == nil {
			t.Errorf("OfferT38 %s: no error", b.name)
		}
	}
	for _, p := range []T38Params{{Version: 4}, {MaxDatagram: -1}, {RateManagement: "x"}, {UDPEC: []UDPEC{"x"}}} {
		if _, err := OfferT38(local, p); err == nil {
			t.Errorf("OfferT38 %+v: no error", p)
		}
	}
}

// roundTrip checks that a built description parses back to itself.
func roundTrip(t *testing.T, d *Description) {
	t.Helper()
	back, err := Parse(d.Marshal())
	if err != nil {
		t.Fatalf("built description does not parse: %v\n%s", err, d)
	}
	if !reflect.DeepEqual(back, d) {
		t.Errorf("built description parses differently:\n%+v\nvs\n%+v", back, d)
	}
}
