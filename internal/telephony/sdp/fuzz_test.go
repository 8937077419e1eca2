package sdp

import (
	"errors"
	"reflect"
	"testing"
)

func addSeeds(f *testing.F) {
	for _, s := range allRealWorld {
		f.Add([]byte(s))
	}
	f.Add([]byte("v=0\no=- 1 1 IN IP4 h\nm=audio 0 RTP/AVP\n"))
	f.Add([]byte("v=0\r\no=a b 1 in ip6 x\r\nk=p\r\ni=x\r\nt=1 2\r\nr=7d 1h 0 25h\r\nz=0 0\r\nc=IN IP6 ::\r\na=inactive\r\nm=audio 1/2 RTP/AVP 96\r\na=rtpmap:96 PCMU/8000/1\r\na=ptime:22.5\r\n"))
}

// FuzzParse: Parse never panics; whatever it accepts marshals to text that
// parses to an equal description and marshals identically again.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d1, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			return
		}
		b1 := d1.Marshal()
		d2, err := Parse(b1)
		if err != nil {
			t.Fatalf("Marshal output does not parse: %v\ninput %q\noutput %q", err, data, b1)
		}
		if !reflect.DeepEqual(d1, d2) {
			t.Fatalf("round trip differs\ninput %q\nfirst  %#v\nsecond %#v", data, d1, d2)
		}
		if b2 := d2.Marshal(); string(b2) != string(b1) {
			t.Fatalf("Marshal not stable\n%q\n%q", b1, b2)
		}
	})
}

// FuzzNegotiate: any description that parses can be answered under every
// policy without panicking; an answer parses, mirrors the offer, accepts
// exactly one stream, and the offerer's ReadAnswer agrees with it. The
// input also serves as a far answer to our own offers.
func FuzzNegotiate(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		offer, err := Parse(data)
		if err != nil {
			return
		}
		withTE := local
		withTE.TelephoneEvent = 101
		p := DefaultT38Params()
		p.FillBitRemoval = true
		policies := []Policy{
			{Local: local},
			{Local: withTE, T38: &p},
			{Local: local, T38: &p, PreferT38: true, LocalTCF: LocalTCFReject},
		}
		for _, pol := range policies {
			ans, res, err := Answer(offer, pol)
			if err != nil {
				if !errors.Is(err, ErrNoAcceptableMedia) || res == nil || res.Accepted() != nil {
					t.Fatalf("Answer error %v with result %+v", err, res)
				}
				continue
			}
			back, err := Parse(ans.Marshal())
			if err != nil {
				t.Fatalf("answer does not parse: %v\n%s", err, ans)
			}
			if !reflect.DeepEqual(back, ans) {
				t.Fatalf("answer does not round-trip:\n%s", ans)
			}
			if len(back.Media) != len(offer.Media) {
				t.Fatalf("answer has %d m= lines for %d offered", len(back.Media), len(offer.Media))
			}
			n := 0
			for i, st := range res.Streams {
				if st.Accepted {
					n++
				}
				if st.Accepted != (back.Media[i].Port != 0) {
					t.Fatalf("m=%d accepted=%v port %d", i, st.Accepted, back.Media[i].Port)
				}
			}
			if n != 1 {
				t.Fatalf("%d streams accepted", n)
			}
			checkReadAnswer(t, offer, back, res)
		}
		a, _ := OfferAudio(withTE)
		o, _ := OfferT38(local, p)
		for _, ours := range []*Description{a, o} {
			if r, err := ReadAnswer(ours, offer); err == nil && r.Accepted() == nil {
				t.Fatalf("ReadAnswer accepted nothing without an error")
			}
		}
	})
}
