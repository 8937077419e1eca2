package sdp

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t testing.TB, s string) *Description {
	t.Helper()
	d, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, s)
	}
	return d
}

func TestParseRealWorld(t *testing.T) {
	ip := netip.MustParseAddr
	tests := []struct {
		name  string
		sdp   string
		check func(t *testing.T, d *Description)
	}{
		{"freeswitch audio", sdpFreeSWITCHAudio, func(t *testing.T, d *Description) {
			want := Origin{"FreeSWITCH", "1712000000", 1712000001, "IP4", "203.0.113.10"}
			if d.Origin != want || d.Name != "FreeSWITCH" || d.Connection.Addr != ip("203.0.113.10") {
				t.Errorf("origin %+v name %q c %v", d.Origin, d.Name, d.Connection)
			}
			m := oneMedia(t, d)
			if m.Type != "audio" || m.Port != 24680 || m.Proto != "RTP/AVP" || !reflect.DeepEqual(m.Formats, []string{"0", "8", "101"}) {
				t.Errorf("m= %+v", m)
			}
			wantMaps := []RTPMap{{0, "PCMU", 8000, ""}, {8, "PCMA", 8000, ""}, {101, "telephone-event", 8000, ""}}
			if !reflect.DeepEqual(m.RTPMaps, wantMaps) || m.Ptime != 20 || m.Direction != DirSendRecv || m.T38 != nil {
				t.Errorf("rtpmaps %v ptime %d dir %v t38 %v", m.RTPMaps, m.Ptime, m.Direction, m.T38)
			}
			if v, _ := m.Attribute("fmtp"); v != "101 0-16" {
				t.Errorf("fmtp %q", v)
			}
		}},
		{"freeswitch t38", sdpFreeSWITCHT38, func(t *testing.T, d *Description) {
			wantT38(t, oneMedia(t, d), T38Params{Version: 0, MaxBitRate: 14400, FillBitRemoval: true, RateManagement: TransferredTCF,
				MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPRedundancy}, VendorInfo: "0 0 0"})
		}},
		{"freeswitch broken boolean", sdpFreeSWITCHBrokenBoolean, func(t *testing.T, d *Description) {
			wantT38(t, oneMedia(t, d), T38Params{MaxBitRate: 9600, RateManagement: TransferredTCF,
				MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPRedundancy}})
		}},
		{"freeswitch insist", sdpFreeSWITCHInsist, func(t *testing.T, d *Description) {
			if len(d.Media) != 2 || d.Media[1].Port != 0 || d.Media[1].Formats[0] != "19" || d.Media[0].T38 == nil {
				t.Errorf("media %+v", d.Media)
			}
		}},
		{"asterisk audio", sdpAsteriskAudio, func(t *testing.T, d *Description) {
			m := oneMedia(t, d)
			if m.Formats[0] != "8" || m.Ptime != 20 {
				t.Errorf("formats %v ptime %d", m.Formats, m.Ptime)
			}
			if v, ok := m.Attribute("maxptime"); !ok || v != "150" {
				t.Errorf("maxptime %q %v: unknown attributes must be kept", v, ok)
			}
		}},
		{"asterisk t38", sdpAsteriskT38, func(t *testing.T, d *Description) {
			wantT38(t, oneMedia(t, d), T38Params{MaxBitRate: 14400, RateManagement: TransferredTCF, MaxDatagram: 400, UDPEC: []UDPEC{UDPRedundancy}})
		}},
		{"cisco t38", sdpCiscoT38, func(t *testing.T, d *Description) {
			m := oneMedia(t, d)
			if m.Connection == nil || m.Connection.Addr != ip("192.0.2.50") {
				t.Errorf("media c= %v", m.Connection)
			}
			wantT38(t, m, T38Params{MaxBitRate: 14400, RateManagement: TransferredTCF, MaxBuffer: 200, MaxDatagram: 320, UDPEC: []UDPEC{UDPRedundancy}})
		}},
		{"audiocodes t38 v3", sdpAudioCodesT38, func(t *testing.T, d *Description) {
			m := oneMedia(t, d)
			if m.Proto != "UDPTL" {
				t.Errorf("proto %q: must be kept as written", m.Proto)
			}
			wantT38(t, m, T38Params{Version: 3, MaxBitRate: 33600, RateManagement: TransferredTCF, MaxBuffer: 3000, MaxDatagram: 1440, UDPEC: []UDPEC{UDPFEC}})
			if v, _ := m.Attribute("T38FaxUdpECDepth"); v != "1 3" {
				t.Errorf("unknown T.38 attribute not kept: %q", v)
			}
		}},
		{"carrier audio+image", sdpCarrierBoth, func(t *testing.T, d *Description) {
			if len(d.Media) != 2 || d.Bandwidths[0] != (Bandwidth{"AS", 84}) || d.Media[0].Bandwidths[0] != (Bandwidth{"AS", 80}) {
				t.Fatalf("media %d, bandwidths %v", len(d.Media), d.Bandwidths)
			}
			if d.Media[1].Connection != nil || d.EffectiveConnection(d.Media[1]).Addr != ip("198.51.100.7") {
				t.Errorf("image c= should come from the session")
			}
			wantT38(t, d.Media[1], T38Params{Version: 1, MaxBitRate: 14400, FillBitRemoval: true, RateManagement: TransferredTCF,
				MaxBuffer: 262, MaxDatagram: 612, UDPEC: []UDPEC{UDPRedundancy, UDPFEC}})
			if v, _ := d.Media[0].Attribute("rtcp"); v != "40003" {
				t.Errorf("rtcp %q", v)
			}
		}},
		{"ipv6 lower-case names", sdpIPv6, func(t *testing.T, d *Description) {
			if d.Origin.AddrType != "IP6" || d.Connection.Addr != ip("2001:db8::10") {
				t.Errorf("origin %+v c %v", d.Origin, d.Connection)
			}
			wantT38(t, oneMedia(t, d), T38Params{MaxBitRate: 14400, RateManagement: TransferredTCF, MaxDatagram: 512, UDPEC: []UDPEC{UDPRedundancy}})
		}},
		{"noEC and aliases", sdpNoEC, func(t *testing.T, d *Description) {
			wantT38(t, oneMedia(t, d), T38Params{MaxBitRate: 9600, RateManagement: LocalTCF, MaxBuffer: 1800, MaxDatagram: 512, UDPEC: []UDPEC{UDPNoEC}})
		}},
		{"hold", sdpHold, func(t *testing.T, d *Description) {
			m := oneMedia(t, d)
			if !d.Connection.Unspecified() || d.Direction != DirSendOnly || m.Direction != DirNone || d.EffectiveDirection(m) != DirSendOnly {
				t.Errorf("c %v session dir %v media dir %v", d.Connection, d.Direction, m.Direction)
			}
		}},
		{"minimal", sdpMinimal, func(t *testing.T, d *Description) {
			if d.Name != "-" || !reflect.DeepEqual(d.Times, []Line{{'t', "0 0"}}) || len(oneMedia(t, d).RTPMaps) != 0 {
				t.Errorf("name %q times %v", d.Name, d.Times)
			}
		}},
		{"t38 over rtp", sdpT38OverRTP, func(t *testing.T, d *Description) {
			if m := oneMedia(t, d); m.T38 == nil || m.RTPMaps[0].Encoding != "t38" {
				t.Errorf("T38 %v rtpmaps %v", m.T38, m.RTPMaps)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustParse(t, tt.sdp))
		})
	}
}

func oneMedia(t *testing.T, d *Description) *Media {
	t.Helper()
	if len(d.Media) != 1 {
		t.Fatalf("%d media descriptions, want 1", len(d.Media))
	}
	return d.Media[0]
}

func wantT38(t *testing.T, m *Media, want T38Params) {
	t.Helper()
	if m.T38 == nil {
		t.Fatalf("no T.38 parameters")
	}
	if !reflect.DeepEqual(*m.T38, want) {
		t.Errorf("T.38 params\n got %+v\nwant %+v", *m.T38, want)
	}
}

// TestParseLiberal: the tolerated variations parse to the same description
// as the clean form.
func TestParseLiberal(t *testing.T) {
	clean := mustParse(t, sdpAsteriskT38)
	variants := map[string]string{
		"bare LF":            strings.ReplaceAll(sdpAsteriskT38, "\r\n", "\n"),
		"trailing blanks":    strings.ReplaceAll(sdpAsteriskT38, "\r\n", " \t\r\n"),
		"blank lines":        strings.ReplaceAll(sdpAsteriskT38, "t=0 0\r\n", "t=0 0\r\n\r\n") + "\r\n\r\n",
		"no final line end":  strings.TrimSuffix(sdpAsteriskT38, "\r\n"),
		"c= after t=":        strings.Replace(strings.Replace(sdpAsteriskT38, "c=IN IP4 198.51.100.20\r\n", "", 1), "t=0 0\r\n", "t=0 0\r\nc=IN IP4 198.51.100.20\r\n", 1),
		"lower-case IN ip4":  strings.Replace(sdpAsteriskT38, "c=IN IP4", "c=in ip4", 1),
		"mixed-case names":   strings.Replace(sdpAsteriskT38, "T38FaxVersion", "t38FAXversion", 1),
		"space after colon":  strings.Replace(sdpAsteriskT38, "T38MaxBitRate:14400", "T38MaxBitRate: 14400", 1),
		"duplicate EC line":  strings.Replace(sdpAsteriskT38, "a=T38FaxUdpEC:t38UDPRedundancy\r\n", "a=T38FaxUdpEC:t38UDPRedundancy\r\na=T38FaxUdpEC:t38udpredundancy\r\n", 1),
		"explicit booleans0": strings.Replace(sdpAsteriskT38, "a=T38FaxVersion:0\r\n", "a=T38FaxVersion:0\r\na=T38FaxFillBitRemoval:false\r\na=T38FaxTranscodingMMR:0\r\n", 1),
		"extra field spaces": strings.Replace(sdpAsteriskT38, "m=image 4000 udptl t38", "m=image  4000 udptl  t38", 1),
	}
	for name, v := range variants {
		d, err := Parse([]byte(v))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(d, clean) {
			t.Errorf("%s: parsed differently:\n%s\nwant\n%s", name, d, clean)
		}
	}
}

func TestParseBooleanForms(t *testing.T) {
	for value, want := range map[string]bool{"": true, ":1": true, ":true": true, ":TRUE": true, ":0": false, ":false": false} {
		d := mustParse(t, strings.Replace(sdpAsteriskT38, "a=T38FaxVersion:0\r\n", "a=T38FaxFillBitRemoval"+value+"\r\n", 1))
		if got := d.Media[0].T38.FillBitRemoval; got != want {
			t.Errorf("T38FaxFillBitRemoval%s = %v, want %v", value, got, want)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	base := "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
	tests := []struct {
		name, sdp, want string
	}{
		{"port", base + "m=audio abc RTP/AVP 0\r\n", `sdp: line 5: m= line has a non-numeric port "abc"`},
		{"port range", base + "m=audio 70000 RTP/AVP 0\r\n", "sdp: line 5: m= line port 70000 is out of range"},
		{"port count", base + "m=audio 5000/0 RTP/AVP 0\r\n", `sdp: line 5: m= line has an invalid port count "0"`},
		{"no formats", base + "m=audio 5000 RTP/AVP\r\n", "sdp: line 5: m= line has no formats"},
		{"short m", base + "m=audio 5000\r\n", "sdp: line 5: m= line needs <media> <port> <proto> <formats>"},
		{"empty", "", "sdp: empty description (no v= line)"},
		{"blank only", "\r\n\r\n", "sdp: empty description"},
		{"not v first", "o=- 1 1 IN IP4 192.0.2.1\r\nv=0\r\n", `sdp: line 1: the first line must be v=0`},
		{"version", "v=1\r\n", `sdp: line 1: unsupported SDP version "1"`},
		{"two v", "v=0\r\nv=0\r\n", "sdp: line 2: more than one v= line"},
		{"no origin", "v=0\r\ns=-\r\n", "sdp: missing o= line"},
		{"origin fields", "v=0\r\no=- 1 IN IP4 192.0.2.1\r\n", "sdp: line 2: o= line needs 6 fields"},
		{"origin version", "v=0\r\no=- 1 x IN IP4 192.0.2.1\r\n", `sdp: line 2: o= line has a session version "x"`},
		{"origin nettype", "v=0\r\no=- 1 1 ATM IP4 192.0.2.1\r\n", `network type "ATM"`},
		{"two origins", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\no=- 1 1 IN IP4 192.0.2.1\r\n", "sdp: line 3: more than one o= line"},
		{"two s", base + "s=x\r\n", "sdp: line 5: more than one s= line"},
		{"no equals", base + "hello\r\n", `sdp: line 5: expected <letter>=<value>, got "hello"`},
		{"upper type", base + "A=foo\r\n", "expected <letter>=<value>"},
		{"unknown type", base + "x=1\r\n", `sdp: line 5: unknown line type "x"`},
		{"control char", base + "s\x00=-\r\n", "control character 0x00"},
		{"bare CR inside", base + "a=x\ry\r\n", "control character 0x0d"},
		{"c fields", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4\r\n", "c= line needs 3 fields"},
		{"c hostname", "v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP4 pbx.example.com\r\n", `c= address "pbx.example.com" is not an IP address`},
		{"c family", "v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP4 2001:db8::1\r\n", "does not match address type IP4"},
		{"c family 6", "v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP6 192.0.2.1\r\n", "does not match address type IP6"},
		{"c multicast", "v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP4 224.2.1.1/127\r\n", "multicast"},
		{"c zone", "v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP6 fe80::1%eth0\r\n", "not an IP address"},
		{"two c", base + "c=IN IP4 192.0.2.2\r\n", "sdp: line 5: more than one c= line"},
		{"no c", "v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 5000 RTP/AVP 0\r\n", "sdp: line 3: m= line has no c= address"},
		{"t after m", base + "m=audio 5000 RTP/AVP 0\r\nt=0 0\r\n", "sdp: line 6: t= is not allowed after the first m= line"},
		{"bad t", base + "t=now\r\n", `t= line "now" is not <start> <stop>`},
		{"r first", base + "r=7d 1h 0 25h\r\n", "r= line without a preceding t= line"},
		{"bad b", base + "b=AS\r\n", `b= line "AS" is not <type>:<number>`},
		{"bad attr name", base + "a=foo bar:1\r\n", `attribute name "foo bar" is not a token`},
		{"empty attr", base + "a=\r\n", `attribute name "" is not a token`},
		{"direction conflict", base + "a=sendonly\r\na=recvonly\r\n", "conflicting direction attributes sendonly and recvonly"},
		{"rtpmap pt", base + "m=audio 5000 RTP/AVP 0\r\na=rtpmap:200 PCMU/8000\r\n", "no payload type in 0..127"},
		{"rtpmap rate", base + "m=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", "is not <pt> <encoding>/<clock rate>"},
		{"rtpmap conflict", base + "m=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:0 PCMA/8000\r\n", "two different rtpmap lines"},
		{"ptime", base + "m=audio 5000 RTP/AVP 0\r\na=ptime:abc\r\n", `ptime "abc" is not a number`},
		{"ptime zero", base + "m=audio 5000 RTP/AVP 0\r\na=ptime:0\r\n", "ptime"},
		{"t38 version", base + "m=image 5000 udptl t38\r\na=T38FaxVersion:x\r\n", `sdp: line 6: T38FaxVersion value "x" is not a number in 0..255`},
		{"t38 negative", base + "m=image 5000 udptl t38\r\na=T38FaxMaxDatagram:-1\r\n", "T38FaxMaxDatagram value \"-1\""},
		{"t38 huge", base + "m=image 5000 udptl t38\r\na=T38MaxBitRate:99999999999999999999\r\n", "T38MaxBitRate value"},
		{"t38 bool", base + "m=image 5000 udptl t38\r\na=T38FaxFillBitRemoval:yes\r\n", "is not a boolean"},
		{"t38 ec empty", base + "m=image 5000 udptl t38\r\na=T38FaxUdpEC:\r\n", "T38FaxUdpEC has no value"},
		{"t38 rm empty", base + "m=image 5000 udptl t38\r\na=T38FaxRateManagement\r\n", "T38FaxRateManagement has no value"},
		{"bad proto", base + "m=audio 5000 RTP//AVP 0\r\n", "invalid transport"},
		{"bad format", base + "m=audio 5000 RTP/AVP 0 (8)\r\n", `invalid format "(8)"`},
		{"too big", base + "a=x:" + strings.Repeat("y", MaxSize) + "\r\n", "more than the 16384 allowed"},
		{"long line", base + "a=x:" + strings.Repeat("y", MaxLineLength) + "\r\n", "sdp: line 5: line is 1028 octets, more than the 1024 allowed"},
		{"too many media", base + strings.Repeat("m=audio 0 RTP/AVP 0\r\n", MaxMedia+1), "sdp: line 37: more than 32 m= lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.sdp))
			if err == nil {
				t.Fatalf("no error; parsed %+v", d)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
		})
	}
}
