package sdp

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"faxgate/internal/telephony/udptl"
)

func t38Policy() Policy {
	p := DefaultT38Params()
	return Policy{Local: local, T38: &p}
}

// answer runs Answer and checks what every answer must satisfy: it parses
// back, mirrors the offer's m= lines, accepts exactly one stream with our
// port, and ReadAnswer on the offerer's side agrees with it.
func answer(t *testing.T, offerText string, pol Policy) (*Description, *Result) {
	t.Helper()
	offer := mustParse(t, offerText)
	ans, res, err := Answer(offer, pol)
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	roundTrip(t, ans)
	back := mustParse(t, ans.String())
	if len(back.Media) != len(offer.Media) {
		t.Fatalf("answer has %d m= lines, offer %d", len(back.Media), len(offer.Media))
	}
	accepted := 0
	for i, m := range back.Media {
		st := res.Streams[i]
		if !strings.EqualFold(m.Type, offer.Media[i].Type) || m.Proto != offer.Media[i].Proto {
			t.Errorf("m=%d: answer %s %s, offer %s %s", i, m.Type, m.Proto, offer.Media[i].Type, offer.Media[i].Proto)
		}
		if st.Accepted != (m.Port != 0) || st.Index != i {
			t.Errorf("m=%d: accepted %v but port %d", i, st.Accepted, m.Port)
		}
		if st.Accepted {
			accepted++
			if m.Port != pol.Local.Port {
				t.Errorf("m=%d: port %d, want ours %d", i, m.Port, pol.Local.Port)
			}
		} else if st.Reason == "" {
			t.Errorf("m=%d: rejected without a reason", i)
		}
	}
	if accepted != 1 {
		t.Fatalf("%d streams accepted, want 1", accepted)
	}
	checkReadAnswer(t, offer, back, res)
	return back, res
}

// checkReadAnswer: the offerer reading our answer reaches the same codec or
// T.38 parameters.
func checkReadAnswer(t *testing.T, offer, ans *Description, res *Result) {
	t.Helper()
	read, err := ReadAnswer(offer, ans)
	if err != nil {
		t.Fatalf("ReadAnswer of our own answer: %v", err)
	}
	a, b := res.Accepted(), read.Accepted()
	if a.Index != b.Index || a.Kind != b.Kind {
		t.Fatalf("ReadAnswer accepted m=%d %v, Answer m=%d %v", b.Index, b.Kind, a.Index, a.Kind)
	}
	switch a.Kind {
	case KindAudio:
		if a.Audio.Codec != b.Audio.Codec {
			t.Errorf("ReadAnswer codec %+v, Answer %+v", b.Audio.Codec, a.Audio.Codec)
		}
	case KindT38:
		x, y := a.T38.Params, b.T38.Params
		if x.Version != y.Version || x.MaxBitRate != y.MaxBitRate || x.FillBitRemoval != y.FillBitRemoval ||
			x.RateManagement != y.RateManagement || !reflect.DeepEqual(x.UDPEC, y.UDPEC) || a.T38.Encoder.Mode != b.T38.Encoder.Mode {
			t.Errorf("ReadAnswer T.38 %+v, Answer %+v", y, x)
		}
	}
}

func TestAnswerAudio(t *testing.T) {
	withTE := local
	withTE.TelephoneEvent = 101
	pcmaOnly := local
	pcmaOnly.Codecs = []Codec{PCMA}
	tests := []struct {
		name      string
		offer     string
		local     LocalMedia
		codec     Codec
		te        uint8
		ptime     int
		remote    string
		dir       Direction
		wantMedia string // the answer's media section
	}{
		{"freeswitch PCMU first", sdpFreeSWITCHAudio, local, PCMU, 101, 20, "203.0.113.10:24680", DirSendRecv,
			"m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n"},
		{"asterisk PCMA first", sdpAsteriskAudio, withTE, PCMA, 101, 20, "198.51.100.20:10000", DirSendRecv,
			"m=audio 30000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n"},
		{"we allow PCMA only", sdpFreeSWITCHAudio, pcmaOnly, PCMA, 101, 20, "203.0.113.10:24680", DirSendRecv,
			"m=audio 30000 RTP/AVP 8\r\n"},
		{"static PTs without rtpmap", sdpMinimal, local, PCMA, 0, 20, "192.0.2.1:8000", DirSendRecv,
			"m=audio 30000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"},
		{"carrier: G729 skipped, te fmtp echoed", sdpCarrierBoth, withTE, PCMU, 101, 20, "198.51.100.7:40002", DirSendRecv,
			"a=fmtp:101 0-15\r\n"},
		{"hold sendonly at session level", sdpHold, local, PCMU, 0, 20, "", DirRecvOnly,
			"m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=recvonly\r\n"},
		{"dynamic PCMU and ptime 30", offerWith("m=audio 7000 RTP/AVP 96 18\r\na=rtpmap:96 pcmu/8000\r\na=ptime:30\r\na=recvonly\r\n"),
			local, Codec{"PCMU", 96, 8000}, 0, 30, "192.0.2.200:7000", DirSendOnly, "m=audio 30000 RTP/AVP 96\r\na=rtpmap:96 PCMU/8000\r\n"},
		{"inactive", offerWith("m=audio 7000 RTP/AVP 0\r\na=inactive\r\n"), local, PCMU, 0, 20, "192.0.2.200:7000", DirInactive, "a=inactive\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, res := answer(t, tt.offer, Policy{Local: tt.local})
			st := res.Accepted()
			if st.Kind != KindAudio || st.Audio.Codec != tt.codec || st.Audio.TelephoneEvent != tt.te || st.Audio.Ptime != tt.ptime {
				t.Errorf("stream %+v audio %+v", st, st.Audio)
			}
			if got := addrPortString(st.Remote); got != tt.remote || st.Hold != (tt.remote == "") || st.Direction != tt.dir {
				t.Errorf("remote %s hold %v direction %v, want %s %v", got, st.Hold, st.Direction, tt.remote, tt.dir)
			}
			if !strings.Contains(ans.String(), tt.wantMedia) {
				t.Errorf("answer:\n%s\nwant it to contain\n%s", ans, tt.wantMedia)
			}
			if !strings.Contains(ans.String(), "c=IN IP4 192.0.2.1\r\n") {
				t.Errorf("answer has not our address:\n%s", ans)
			}
		})
	}
}

func offerWith(media string) string {
	return "v=0\r\no=- 1 1 IN IP4 192.0.2.200\r\ns=-\r\nc=IN IP4 192.0.2.200\r\nt=0 0\r\n" + media
}

func addrPortString(a netip.AddrPort) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func TestAnswerT38Matrix(t *testing.T) {
	ours := func(mod func(*T38Params)) *T38Params {
		p := DefaultT38Params()
		if mod != nil {
			mod(&p)
		}
		return &p
	}
	image := func(attrs ...string) string {
		s := "m=image 40000 udptl t38\r\n"
		for _, a := range attrs {
			s += "a=" + a + "\r\n"
		}
		return offerWith(s)
	}
	tests := []struct {
		name    string
		offer   string
		ours    *T38Params
		want    T38Params // negotiated
		farMax  int
		encoder udptl.EncoderConfig
	}{
		{"freeswitch defaults, FBR not supported by us", sdpFreeSWITCHT38, ours(nil),
			T38Params{MaxBitRate: 14400, RateManagement: TransferredTCF, MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPRedundancy}},
			400, udptl.EncoderConfig{Mode: udptl.Redundancy, MaxDatagram: 400}},
		{"FBR offered and supported", sdpFreeSWITCHT38, ours(func(p *T38Params) { p.FillBitRemoval = true }),
			T38Params{MaxBitRate: 14400, FillBitRemoval: true, RateManagement: TransferredTCF, MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPRedundancy}},
			400, udptl.EncoderConfig{Mode: udptl.Redundancy, MaxDatagram: 400}},
		{"FBR supported, not offered; MMR/JBIG never", image("T38FaxTranscodingMMR", "T38FaxTranscodingJBIG", "T38FaxUdpEC:t38UDPRedundancy"),
			ours(func(p *T38Params) { p.FillBitRemoval, p.TranscodingMMR, p.TranscodingJBIG = true, true, true }),
			T38Params{MaxBitRate: 14400, RateManagement: TransferredTCF, MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPRedundancy}},
			0, udptl.EncoderConfig{Mode: udptl.Redundancy, MaxDatagram: DefaultFarMaxDatagram}},
		{"version min: theirs 1, ours 0", sdpCarrierBoth, ours(nil),
			T38Params{MaxBitRate: 14400, RateManagement: TransferredTCF, MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPRedundancy}},
			612, udptl.EncoderConfig{Mode: udptl.Redundancy, MaxDatagram: 612}},
		{"version min: theirs 3, ours 2; rate min 33600/14400; FEC; 1440 capped", sdpAudioCodesT38, ours(func(p *T38Params) { p.Version = 2 }),
			T38Params{Version: 2, MaxBitRate: 14400, RateManagement: TransferredTCF, MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPFEC}},
			1440, udptl.EncoderConfig{Mode: udptl.FEC, MaxDatagram: MaxFarDatagram}},
		{"rate min theirs 9600; localTCF echoed; explicit noEC", sdpNoEC, ours(func(p *T38Params) { p.Version = 3 }),
			T38Params{MaxBitRate: 9600, RateManagement: LocalTCF, MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPNoEC}},
			512, udptl.EncoderConfig{Mode: udptl.None, MaxDatagram: 512}},
		{"nothing stated: version 0, ours rate, transferredTCF, no EC line", image(), ours(func(p *T38Params) { p.MaxBitRate = 9600; p.VendorInfo = "faxgate" }),
			T38Params{MaxBitRate: 9600, RateManagement: TransferredTCF, MaxBuffer: 2000, MaxDatagram: 400, VendorInfo: "faxgate"},
			0, udptl.EncoderConfig{Mode: udptl.None, MaxDatagram: DefaultFarMaxDatagram}},
		{"our zero rate means 14400", image("T38MaxBitRate:12000", "T38FaxUdpEC:t38UDPFEC", "T38FaxUdpEC:t38UDPRedundancy"), &T38Params{},
			T38Params{MaxBitRate: 12000, RateManagement: TransferredTCF, UDPEC: []UDPEC{UDPRedundancy}},
			0, udptl.EncoderConfig{Mode: udptl.Redundancy, MaxDatagram: DefaultFarMaxDatagram}},
		{"small far datagram (Cisco 320)", sdpCiscoT38, ours(nil),
			T38Params{MaxBitRate: 14400, RateManagement: TransferredTCF, MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPRedundancy}},
			320, udptl.EncoderConfig{Mode: udptl.Redundancy, MaxDatagram: 320}},
		{"ipv6, upper-case values", sdpIPv6, ours(nil),
			T38Params{MaxBitRate: 14400, RateManagement: TransferredTCF, MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPRedundancy}},
			512, udptl.EncoderConfig{Mode: udptl.Redundancy, MaxDatagram: 512}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := Policy{Local: local, T38: tt.ours, PreferT38: true}
			if strings.Contains(tt.offer, "IP6") {
				pol.Local.Addr = netip.MustParseAddr("2001:db8::1")
			}
			ans, res := answer(t, tt.offer, pol)
			st := res.Accepted()
			if st.Kind != KindT38 || st.T38 == nil {
				t.Fatalf("accepted %+v", st)
			}
			if !reflect.DeepEqual(st.T38.Params, tt.want) {
				t.Errorf("negotiated\n got %+v\nwant %+v", st.T38.Params, tt.want)
			}
			if st.T38.FarMaxDatagram != tt.farMax || st.T38.Encoder != tt.encoder {
				t.Errorf("far max %d encoder %+v, want %d %+v", st.T38.FarMaxDatagram, st.T38.Encoder, tt.farMax, tt.encoder)
			}
			// The answer carries exactly the negotiated parameters.
			if got := ans.Media[st.Index].T38; !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("answer T.38 attributes %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestAnswerRejects(t *testing.T) {
	off := Policy{Local: local}
	reject := func(p Policy) Policy { p.LocalTCF = LocalTCFReject; return p }
	tests := []struct {
		name   string
		offer  string
		pol    Policy
		reason string
	}{
		{"T.38 off", sdpAsteriskT38, off, "T.38 is off"},
		{"localTCF refused", sdpNoEC, reject(t38Policy()), "localTCF refused by policy"},
		{"unknown rate management", offerWith("m=image 4000 udptl t38\r\na=T38FaxRateManagement:magicTCF\r\n"), t38Policy(), `unknown T38FaxRateManagement "magicTCF"`},
		{"rate too low", offerWith("m=image 4000 udptl t38\r\na=T38MaxBitRate:1200\r\n"), t38Policy(), "T38MaxBitRate 1200 is below 2400"},
		{"T.38 over RTP", sdpT38OverRTP, t38Policy(), `T.38 over "RTP/AVP" is not supported`},
		{"udptl without t38", offerWith("m=image 4000 udptl t37\r\n"), t38Policy(), "udptl stream without the t38 format"},
		{"no common codec", offerWith("m=audio 4000 RTP/AVP 18 9\r\na=rtpmap:18 G729/8000\r\n"), off, "no common codec (offered 18 9)"},
		{"PCMU stereo is not ours", offerWith("m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 PCMU/8000/2\r\n"), off, "no common codec"},
		{"SRTP", offerWith("m=audio 4000 RTP/SAVP 0\r\n"), off, `transport "RTP/SAVP" is not supported`},
		{"video", offerWith("m=video 4000 RTP/AVP 96\r\n"), off, `media "video" is not supported`},
		{"disabled", offerWith("m=audio 0 RTP/AVP 0\r\n"), off, "disabled by the offer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, res, err := Answer(mustParse(t, tt.offer), tt.pol)
			if !errors.Is(err, ErrNoAcceptableMedia) || ans != nil {
				t.Fatalf("err %v answer %v, want ErrNoAcceptableMedia", err, ans)
			}
			if !strings.Contains(res.Streams[0].Reason, tt.reason) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("reason %q / error %q, want %q", res.Streams[0].Reason, err, tt.reason)
			}
		})
	}
	if _, _, err := Answer(mustParse(t, "v=0\r\no=- 1 1 IN IP4 h\r\n"), off); !errors.Is(err, ErrNoAcceptableMedia) {
		t.Errorf("no m= lines: %v", err)
	}
	if _, _, err := Answer(mustParse(t, sdpMinimal), Policy{}); err == nil {
		t.Errorf("Answer without a local address: no error")
	}
}

// TestAnswerAudioAndImage: an offer with both streams (freeswitch#1297,
// fax_enable_t38_insist) is answered per policy; the other stream gets port
// 0 in its position.
func TestAnswerAudioAndImage(t *testing.T) {
	audioFirst := t38Policy()
	t38First := t38Policy()
	t38First.PreferT38 = true
	tests := []struct {
		name     string
		offer    string
		pol      Policy
		accepted int
		kind     Kind
		media    string
	}{
		{"audio wins by default", sdpCarrierBoth, audioFirst, 0, KindAudio, "m=audio 30000 RTP/AVP 0\r\n"},
		{"T.38 preferred", sdpCarrierBoth, t38First, 1, KindT38, "m=audio 0 RTP/AVP 0 8 18 101\r\nm=image 30000 udptl t38\r\n"},
		{"T.38 preferred but off", sdpCarrierBoth, Policy{Local: local, PreferT38: true}, 0, KindAudio, "m=image 0 udptl t38\r\n"},
		{"insist: image first, audio 0", sdpFreeSWITCHInsist, audioFirst, 0, KindT38, "m=audio 0 RTP/AVP 19\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, res := answer(t, tt.offer, tt.pol)
			st := res.Accepted()
			if st.Index != tt.accepted || st.Kind != tt.kind {
				t.Errorf("accepted m=%d %v, want m=%d %v", st.Index, st.Kind, tt.accepted, tt.kind)
			}
			if !strings.Contains(ans.String(), tt.media) {
				t.Errorf("answer:\n%s\nwant it to contain %q", ans, tt.media)
			}
		})
	}
}

func TestReadAnswer(t *testing.T) {
	offerA, _ := OfferAudio(LocalMedia{Addr: local.Addr, Port: 30000, TelephoneEvent: 101})
	offerT, _ := OfferT38(local, DefaultT38Params())
	tests := []struct {
		name   string
		offer  *Description
		answer string
		check  func(t *testing.T, r *Result)
		err    string
	}{
		{"asterisk picks PCMA", offerA, sdpAsteriskAudio, func(t *testing.T, r *Result) {
			st := r.Accepted()
			if st.Audio.Codec != PCMA || st.Audio.TelephoneEvent != 101 || st.Remote.String() != "198.51.100.20:10000" || st.Direction != DirSendRecv {
				t.Errorf("%+v %+v", st, st.Audio)
			}
		}, ""},
		{"far sendonly: we receive only", offerA, strings.Replace(sdpFreeSWITCHAudio, "a=sendrecv", "a=sendonly", 1), func(t *testing.T, r *Result) {
			if d := r.Accepted().Direction; d != DirRecvOnly {
				t.Errorf("direction %v", d)
			}
		}, ""},
		{"freeswitch T.38 answer", offerT, sdpFreeSWITCHT38, func(t *testing.T, r *Result) {
			st := r.Accepted()
			want := T38Params{MaxBitRate: 14400, RateManagement: TransferredTCF, MaxBuffer: 2000, MaxDatagram: 400, UDPEC: []UDPEC{UDPRedundancy}}
			if !reflect.DeepEqual(st.T38.Params, want) || st.T38.FarMaxDatagram != 400 || st.T38.Encoder.Mode != udptl.Redundancy {
				t.Errorf("%+v", st.T38)
			}
		}, ""},
		{"answer raises version and rate: we keep ours", offerT, sdpAudioCodesT38, func(t *testing.T, r *Result) {
			st := r.Accepted()
			if st.T38.Params.Version != 0 || st.T38.Params.MaxBitRate != 14400 || st.T38.Encoder.MaxDatagram != MaxFarDatagram {
				t.Errorf("%+v", st.T38)
			}
		}, ""},
		{"rejected", offerT, strings.Replace(sdpAsteriskT38, "m=image 4000", "m=image 0", 1), nil, "rejected by the far end"},
		{"wrong codec", offerA, offerWith("m=audio 4000 RTP/AVP 18\r\n"), nil, "none of our codecs"},
		{"m= count", offerA, sdpCarrierBoth, nil, "the answer has 2 m= lines, the offer had 1"},
		{"media type", offerA, sdpAsteriskT38, nil, `has media "image", the offer had "audio"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadAnswer(tt.offer, mustParse(t, tt.answer))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
}

func TestSessionOrigin(t *testing.T) {
	s := NewSession("faxgate", local.Addr)
	o := s.Origin()
	if o.Username != "faxgate" || !isDigits(o.SessionID) || o.Version != 1 || o.Address != "192.0.2.1" || o.AddrType != "IP4" {
		t.Fatalf("origin %+v", o)
	}
	audio, _ := OfferAudio(local)
	body1, changed := s.Stamp(audio)
	if changed || !strings.Contains(string(body1), "o=faxgate "+o.SessionID+" 1 IN IP4 192.0.2.1\r\n") {
		t.Fatalf("first stamp changed=%v\n%s", changed, body1)
	}
	// A session refresh with the same media: identical body, same version.
	again, _ := OfferAudio(local)
	if body, changed := s.Stamp(again); changed || string(body) != string(body1) {
		t.Errorf("refresh changed the body:\n%s", body)
	}
	// Switching to T.38 changes the description: version 2.
	t38, _ := OfferT38(local, DefaultT38Params())
	if body, changed := s.Stamp(t38); !changed || !strings.Contains(string(body), " 2 IN IP4 ") || t38.Origin.Version != 2 {
		t.Errorf("T.38 re-offer: changed=%v\n%s", changed, body)
	}
	// A new public address is a change too, and IPv6 shows in the o= line.
	v6 := netip.MustParseAddr("2001:db8::1")
	s.SetAddress(v6)
	if body, changed := s.Stamp(t38); !changed || !strings.Contains(string(body), " 3 IN IP6 2001:db8::1\r\n") {
		t.Errorf("address change: changed=%v\n%s", changed, body)
	}
	if NewSession("", local.Addr).Origin().SessionID == o.SessionID {
		t.Errorf("two sessions share an id")
	}
}

func TestUnchanged(t *testing.T) {
	prev := mustParse(t, sdpFreeSWITCHAudio)
	bumped := mustParse(t, strings.Replace(sdpFreeSWITCHAudio, "1712000001", "1712000009", 1))
	moved := mustParse(t, strings.Replace(sdpFreeSWITCHAudio, "24680", "24690", 1))
	if !Unchanged(prev, mustParse(t, sdpFreeSWITCHAudio)) || !Unchanged(prev, bumped) {
		t.Errorf("identical media reported as changed")
	}
	if Unchanged(prev, moved) || Unchanged(prev, mustParse(t, sdpFreeSWITCHT38)) || Unchanged(nil, prev) {
		t.Errorf("changed media reported as unchanged")
	}
	if prev.Origin.Version != 1712000001 {
		t.Errorf("Unchanged modified its argument")
	}
}

// TestKeepSlots: our re-offers keep the m= lines of the previous
// description, reusing the slot of the same media type.
func TestKeepSlots(t *testing.T) {
	both, _ := answer(t, sdpCarrierBoth, t38Policy()) // m=audio 30000, m=image 0
	single, _ := answer(t, sdpFreeSWITCHAudio, t38Policy())
	tests := []struct {
		name  string
		prev  *Description
		offer func() *Description
		want  string
	}{
		{"T.38 into the image slot", both, func() *Description { d, _ := OfferT38(local, DefaultT38Params()); return d },
			"m=audio 0 RTP/AVP 0\r\nm=image 30000 udptl t38\r\n"},
		{"audio back into the audio slot", both, func() *Description { d, _ := OfferAudio(local); return d },
			"m=audio 30000 RTP/AVP 0 8\r\n"},
		{"T.38 replaces the only audio slot", single, func() *Description { d, _ := OfferT38(local, DefaultT38Params()); return d },
			"t=0 0\r\nm=image 30000 udptl t38\r\n"},
		{"no previous description", nil, func() *Description { d, _ := OfferT38(local, DefaultT38Params()); return d },
			"t=0 0\r\nm=image 30000 udptl t38\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer := tt.offer()
			KeepSlots(offer, tt.prev)
			text := offer.String()
			if !strings.Contains(stripAttrs(text), tt.want) {
				t.Errorf("re-offer:\n%s\nwant (attributes aside) %q", text, tt.want)
			}
			if tt.prev != nil && len(offer.Media) != len(tt.prev.Media) {
				t.Errorf("%d m= lines, previous had %d", len(offer.Media), len(tt.prev.Media))
			}
			roundTrip(t, offer)
		})
	}
}

func stripAttrs(s string) string {
	var out []string
	for _, l := range strings.SplitAfter(s, "\r\n") {
		if !strings.HasPrefix(l, "a=") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}
