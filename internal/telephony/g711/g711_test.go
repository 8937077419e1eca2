package g711

import (
	"fmt"
	"sort"
	"testing"
)

// law describes one companding law for the table-driven tests.
type law struct {
	name  string
	enc   func(int16) uint8
	dec   func(uint8) int16
	encS  func([]byte, []int16)
	decS  func([]int16, []byte)
	ref   *reference
	g191E func(int16) uint8
	g191D func(uint8) int16
	shift uint // 16-bit sample -> G.711 uniform magnitude units
	// negZero is µ-law's negative zero code: it decodes to 0, which encodes
	// as positive zero 0xff; -1 for A-law, which has no zero code.
	negZero int
}

// reference quantizes with the decision values of G.711 Tables 1/2 written
// out as segment start and step size, independently of the bit tricks the
// package uses: upper[n] is the exclusive upper bound of magnitude interval
// n, out[n] the decoder output (interval middle) in G.711 units.
type reference struct {
	upper, out [128]int
	code       func(n int, negative bool) uint8
}

func newReference(start, steps [8]int, firstOut0 bool) *reference {
	r := &reference{}
	n, lo := 0, 0
	for seg := range 8 {
		for k := range 16 {
			hi := start[seg] + (k+1)*steps[seg]
			if seg == 0 && k == 0 && firstOut0 {
				hi = 1 // µ-law: the first interval is [0, 1) and decodes to 0
			}
			r.upper[n], r.out[n] = hi, (lo+hi)/2
			if seg == 0 && k == 0 && firstOut0 {
				r.out[n] = 0
			}
			n, lo = n+1, hi
		}
	}
	return r
}

// µ-law (G.711 Table 2, 14-bit units): segment 0 is [0,1) then step 2 to 31,
// segments 1..7 double the step, ending at 8159 (overload above).
var ulawRef = func() *reference {
	r := newReference([8]int{-1, 31, 95, 223, 479, 991, 2015, 4063}, [8]int{2, 4, 8, 16, 32, 64, 128, 256}, true)
	r.code = func(n int, neg bool) uint8 {
		if neg {
			return uint8(0x7f - n)
		}
		return uint8(0xff - n)
	}
	return r
}()

// A-law (G.711 Table 1, 13-bit units): segments 0 and 1 step 2, then
// doubling, ending at 4096.
var alawRef = func() *reference {
	r := newReference([8]int{0, 32, 64, 128, 256, 512, 1024, 2048}, [8]int{2, 2, 4, 8, 16, 32, 64, 128}, false)
	r.code = func(n int, neg bool) uint8 {
		if neg {
			return uint8(n) ^ 0x55
		}
		return uint8(0x80|n) ^ 0x55
	}
	return r
}()

// encode quantizes magnitude m (G.711 units) with sign neg.
func (r *reference) encode(m int, neg bool) uint8 {
	n := sort.Search(128, func(i int) bool { return m < r.upper[i] })
	return r.code(min(n, 127), neg)
}

func (r *reference) decode(c uint8) (out int, neg bool) {
	for n := range 128 {
		for _, neg := range []bool{false, true} {
			if r.code(n, neg) == c {
				return r.out[n], neg
			}
		}
	}
	panic("unreachable")
}

// g191ULaw is the loop form of the ITU-T G.191 STL µ-law compressor.
func g191ULaw(x int16) uint8 {
	absno := (int(x) >> 2) + 33
	if x < 0 {
		absno = (int(^x) >> 2) + 33
	}
	absno = min(absno, 0x1fff)
	segno := 1
	for i := absno >> 6; i != 0; i >>= 1 {
		segno++
	}
	out := (8-segno)<<4 | (0xf - (absno>>segno)&0xf)
	if x >= 0 {
		out |= 0x80
	}
	return uint8(out)
}

func g191ULawExpand(c uint8) int16 {
	sign := 1
	if c < 0x80 {
		sign = -1
	}
	mant := ^int(c)
	exp := mant >> 4 & 7
	mant &= 0xf
	step := 4 << (exp + 1)
	return int16(sign * ((0x80 << exp) + step*mant + step/2 - 4*33))
}

// g191ALaw is the loop form of the ITU-T G.191 STL A-law compressor.
func g191ALaw(x int16) uint8 {
	ix := int(x) >> 4
	if x < 0 {
		ix = int(^x) >> 4
	}
	if ix > 15 {
		exp := 1
		for ix > 16+15 {
			ix >>= 1
			exp++
		}
		ix += (exp << 4) - 16
	}
	if x >= 0 {
		ix |= 0x80
	}
	return uint8(ix ^ 0x55)
}

func g191ALawExpand(c uint8) int16 {
	ix := int(c^0x55) & 0x7f
	exp, mant := ix>>4, ix&0xf
	if exp > 0 {
		mant += 16
	}
	mant = mant<<4 + 8
	if exp > 1 {
		mant <<= exp - 1
	}
	if c > 127 {
		return int16(mant)
	}
	return int16(-mant)
}

var laws = []law{
	{"ulaw", LinearToULaw, ULawToLinear, EncodeULaw, DecodeULaw, ulawRef, g191ULaw, g191ULawExpand, 2, 0x7f},
	{"alaw", LinearToALaw, ALawToLinear, EncodeALaw, DecodeALaw, alawRef, g191ALaw, g191ALawExpand, 3, -1},
}

// magnitude splits a 16-bit sample into sign and G.711 magnitude the G.191
// way: one's complement for negative samples.
func magnitude(x int16, shift uint) (int, bool) {
	if x < 0 {
		return int(^x) >> shift, true
	}
	return int(x) >> shift, false
}

func TestEncodeAllInputs(t *testing.T) {
	for _, l := range laws {
		t.Run(l.name, func(t *testing.T) {
			bad := 0
			for i := range 1 << 16 {
				x := int16(i)
				m, neg := magnitude(x, l.shift)
				want := l.ref.encode(m, neg)
				got := l.enc(x)
				if got != want || l.g191E(x) != want {
					if bad++; bad < 10 {
						t.Errorf("%d: got %#02x, G.711 table %#02x, G.191 %#02x", x, got, want, l.g191E(x))
					}
				}
			}
		})
	}
}

func TestDecodeAllCodes(t *testing.T) {
	for _, l := range laws {
		t.Run(l.name, func(t *testing.T) {
			for c := range 256 {
				out, neg := l.ref.decode(uint8(c))
				want := out << l.shift
				if neg {
					want = -want
				}
				if got := l.dec(uint8(c)); int(got) != want || l.g191D(uint8(c)) != got {
					t.Errorf("%#02x: got %d, G.711 table %d, G.191 %d", c, got, want, l.g191D(uint8(c)))
				}
			}
		})
	}
}

func TestKnownValues(t *testing.T) {
	tests := []struct {
		law  string
		x    int16
		code uint8
		back int16
	}{
		{"ulaw", 0, 0xff, 0},
		{"ulaw", -1, 0x7f, 0},
		{"ulaw", 8, 0xfe, 8},
		{"ulaw", 32767, 0x80, 32124},
		{"ulaw", -32768, 0x00, -32124}, // no zero-code suppression: 0x00 stays
		{"ulaw", 1000, 0xce, 988},      // interval [956, 1020) in 16-bit units
		{"alaw", 0, 0xd5, 8},
		{"alaw", -1, 0x55, -8},
		{"alaw", 32767, 0xaa, 32256},
		{"alaw", -32768, 0x2a, -32256},
		{"alaw", 1000, 0xfa, 1008},
	}
	for _, tt := range tests {
		l := laws[0]
		if tt.law == "alaw" {
			l = laws[1]
		}
		if got := l.enc(tt.x); got != tt.code {
			t.Errorf("%s encode %d = %#02x, want %#02x", tt.law, tt.x, got, tt.code)
		}
		if got := l.dec(tt.code); got != tt.back {
			t.Errorf("%s decode %#02x = %d, want %d", tt.law, tt.code, got, tt.back)
		}
	}
}

// TestEveryCodeReachable: with no zero-code suppression all 256 µ-law and
// A-law codes are produced by some input.
func TestEveryCodeReachable(t *testing.T) {
	for _, l := range laws {
		var seen [256]bool
		for i := range 1 << 16 {
			seen[l.enc(int16(i))] = true
		}
		for c, ok := range seen {
			if !ok {
				t.Errorf("%s: code %#02x never produced", l.name, c)
			}
		}
	}
}

func TestSymmetry(t *testing.T) {
	for _, l := range laws {
		for i := range 1 << 16 {
			x := int16(i)
			if a, b := l.enc(x), l.enc(^x); a^b != 0x80 {
				t.Fatalf("%s: codes of %d and %d are %#02x and %#02x, want only the sign bit apart", l.name, x, ^x, a, b)
			}
		}
	}
}

// TestRoundTrip: decoding is a right inverse of encoding on codes (except
// µ-law's negative zero, which decodes to 0 = positive zero), encoding a
// decoded sample is stable, and the error stays within half an interval.
func TestRoundTrip(t *testing.T) {
	for _, l := range laws {
		t.Run(l.name, func(t *testing.T) {
			for c := range 256 {
				got := l.enc(l.dec(uint8(c)))
				if got != uint8(c) && !(c == l.negZero && got == 0xff) {
					t.Errorf("encode(decode(%#02x)) = %#02x", c, got)
				}
			}
			for i := range 1 << 16 {
				x := int16(i)
				c := l.enc(x)
				y := l.dec(c)
				if c2 := l.enc(y); c2 != c && int(c) != l.negZero {
					t.Fatalf("%d: code %#02x decodes to %d which encodes to %#02x", x, c, y, c2)
				}
				if err, bound := abs(int(y)-int(x)), maxError(l, x); err > bound {
					t.Fatalf("%d: decoded %d, error %d above %d", x, y, err, bound)
				}
			}
		})
	}
}

// maxError is half the width of x's interval plus the low bits dropped by
// scaling, or unbounded clipping error past the last decision value.
func maxError(l law, x int16) int {
	m, _ := magnitude(x, l.shift)
	n := sort.Search(128, func(i int) bool { return m < l.ref.upper[i] })
	if n == 128 {
		return abs(int(x)) // overload: clipped
	}
	lo := 0
	if n > 0 {
		lo = l.ref.upper[n-1]
	}
	return ((l.ref.upper[n]-lo)/2+1)<<l.shift + 1
}

func abs(v int) int { return max(v, -v) }

func TestSliceFuncs(t *testing.T) {
	src := make([]int16, 1<<16)
	for i := range src {
		src[i] = int16(i)
	}
	codes := make([]byte, len(src))
	back := make([]int16, len(src))
	for _, l := range laws {
		l.encS(codes, src)
		l.decS(back, codes)
		for i, x := range src {
			if codes[i] != l.enc(x) || back[i] != l.dec(codes[i]) {
				t.Fatalf("%s: sample %d: slice %#02x/%d, per-sample %#02x/%d", l.name, x, codes[i], back[i], l.enc(x), l.dec(codes[i]))
			}
		}
		frame := src[:160]
		out := make([]byte, 200) // longer dst is fine: only len(src) written
		pcm := make([]int16, 160)
		if n := testing.AllocsPerRun(100, func() { l.encS(out, frame); l.decS(pcm, out[:160]) }); n != 0 {
			t.Errorf("%s: %v allocations per frame", l.name, n)
		}
		if out[160] != 0 {
			t.Errorf("%s: wrote past len(src)", l.name)
		}
	}
}

func TestShortDstPanics(t *testing.T) {
	for _, l := range laws {
		for name, f := range map[string]func(){
			"encode": func() { l.encS(make([]byte, 3), make([]int16, 4)) },
			"decode": func() { l.decS(make([]int16, 3), make([]byte, 4)) },
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s %s: short dst did not panic", l.name, name)
					}
				}()
				f()
			}()
		}
	}
}

func BenchmarkFrame(b *testing.B) {
	src := make([]int16, 160)
	for i := range src {
		src[i] = int16(i*409 - 32000)
	}
	codes := make([]byte, 160)
	pcm := make([]int16, 160)
	for _, l := range laws {
		l.encS(codes, src)
		b.Run(fmt.Sprintf("%s/encode", l.name), func(b *testing.B) {
			for b.Loop() {
				l.encS(codes, src)
			}
		})
		b.Run(fmt.Sprintf("%s/decode", l.name), func(b *testing.B) {
			for b.Loop() {
				l.decS(pcm, codes)
			}
		})
	}
}
