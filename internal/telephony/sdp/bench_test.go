package sdp

import "testing"

// BenchmarkParseSDP parses a typical T.38 re-INVITE body (FreeSWITCH's
// request_t38 defaults); BenchmarkAnswerT38 answers it and marshals the
// answer, the whole SDP work of accepting a switch to T.38.
func BenchmarkParseSDP(b *testing.B) {
	body := []byte(sdpFreeSWITCHT38)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnswerT38(b *testing.B) {
	body := []byte(sdpFreeSWITCHT38)
	p := DefaultT38Params()
	pol := Policy{Local: local, T38: &p}
	b.ReportAllocs()
	for b.Loop() {
		offer, err := Parse(body)
		if err != nil {
			b.Fatal(err)
		}
		ans, _, err := Answer(offer, pol)
		if err != nil {
			b.Fatal(err)
		}
		_ = ans.Marshal()
	}
}
