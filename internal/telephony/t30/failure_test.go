//go:build cgo

package t30

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
)

// rawTIFF writes a one-strip uncompressed TIFF with any width and bit
// depth, for files faxtiff refuses to write (8-bit grey).
func rawTIFF(tb testing.TB, width, height, bits int, dpi uint32) string {
	tb.Helper()
	stride := (width*bits + 7) / 8
	data := bytes.Repeat([]byte{0x5a}, stride*height)
	type entry struct {
		tag, typ uint16
		val      uint32
	}
	const nEntries = 11
	ifdOff := uint32(8)
	resOff := ifdOff + 2 + nEntries*12 + 4
	dataOff := resOff + 16
	entries := []entry{
		{256, 4, uint32(width)}, {257, 4, uint32(height)}, {258, 3, uint32(bits)},
		{259, 3, 1}, {262, 3, 0}, {273, 4, dataOff}, {277, 3, 1}, {278, 4, uint32(height)},
		{279, 4, uint32(len(data))}, {282, 5, resOff}, {283, 5, resOff + 8},
	}
	var b bytes.Buffer
	b.WriteString("II*\x00")
	binary.Write(&b, binary.LittleEndian, ifdOff)
	binary.Write(&b, binary.LittleEndian, uint16(len(entries)))
	for _, e := range entries {
		binary.Write(&b, binary.LittleEndian, e.tag)
		binary.Write(&b, binary.LittleEndian, e.typ)
		binary.Write(&b, binary.LittleEndian, uint32(1))
		if e.typ == 3 {
			binary.Write(&b, binary.LittleEndian, [2]uint16{uint16(e.val), 0})
		} else {
			binary.Write(&b, binary.LittleEndian, e.val)
		}
	}
	binary.Write(&b, binary.LittleEndian, uint32(0)) // no next IFD
	binary.Write(&b, binary.LittleEndian, [4]uint32{204, 1, dpi, 1})
	b.Write(data)
	path := filepath.Join(tb.TempDir(), "raw.tif")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// unsendableFiles builds files a fax cannot carry, with what the error
// must say.
func unsendableFiles(t *testing.T) []struct {
	name, path string
	problem    faxtiff.Problem
	says       []string
} {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	narrow := filepath.Join(dir, "narrow.tif")
	p := faxtiff.NewPage(1700, 1143, faxtiff.Standard)
	p.SetBlack(10, 10, true)
	if err := faxtiff.WriteFile(narrow, []*faxtiff.Page{p}); err != nil {
		t.Fatal(err)
	}
	good, _ := writeDoc(t, 2, faxtiff.Fine)
	src, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// Overwrite the middle of the coded data of page 1 with junk codes.
	corrupt := bytes.Clone(src)
	for i := 3000; i < 3400; i++ {
		corrupt[i] = 0x00
	}
	return []struct {
		name, path string
		problem    faxtiff.Problem
		says       []string
	}{
		{"grey8", rawTIFF(t, 1728, 100, 8, 98), faxtiff.ProblemBitsPerPixel, []string{"page 1", "8 bits"}},
		{"width1700", narrow, faxtiff.ProblemWidth, []string{"page 1 is 1700 pixels wide", "1728, 2048 or 2432"}},
		{"resolution", rawTIFF(t, 1728, 100, 1, 300), faxtiff.ProblemResolution, []string{"page 1", "300"}},
		{"corrupt", write("corrupt.tif", corrupt), faxtiff.ProblemCorrupt, []string{"page 1"}},
		{"truncated", write("short.tif", src[:len(src)/3]), faxtiff.ProblemCorrupt, nil},
		{"zeroPages", write("empty.tif", []byte("II*\x00\x00\x00\x00\x00")), faxtiff.ProblemNoPages, []string{"no pages"}},
		{"notTIFF", write("doc.pdf", []byte("%PDF-1.4\n1 0 obj\n")), faxtiff.ProblemNotTIFF, nil},
		{"emptyFile", write("zero.tif", nil), faxtiff.ProblemNotTIFF, nil},
		{"missing", filepath.Join(dir, "nope.tif"), "", []string{"nope.tif: no such file"}},
	}
}

// TestUnsendableFiles: a file spandsp could not send fails construction
// with a message that says what is wrong, before any call state exists.
func TestUnsendableFiles(t *testing.T) {
	ctors := map[string]func(Options) (*Session, error){
		"t38":   func(o Options) (*Session, error) { return NewT38(o, func([]byte, int) {}) },
		"audio": NewAudio,
	}
	for _, f := range unsendableFiles(t) {
		for name, ctor := range ctors {
			t.Run(f.name+"/"+name, func(t *testing.T) {
				s, err := ctor(Options{Direction: Send, TxFile: f.path})
				if err == nil {
					s.Close()
					t.Fatal("constructed a session for an unsendable file")
				}
				if !errors.Is(err, ErrUnsendable) || !strings.Contains(err.Error(), f.path) {
					t.Errorf("error %q does not wrap ErrUnsendable with the path", err)
				}
				if got := faxtiff.ProblemOf(err); got != f.problem {
					t.Errorf("problem %q, want %q (%v)", got, f.problem, err)
				}
				for _, want := range f.says {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
			})
		}
	}
}

func TestInvalidOptions(t *testing.T) {
	good, _ := writeDoc(t, 1, faxtiff.Standard)
	rx := filepath.Join(t.TempDir(), "rx.tif")
	cases := []struct {
		name string
		o    Options
		says string
	}{
		{"identTooLong", Options{Direction: Receive, RxFile: rx, LocalIdent: "+1 555 0100 0100 0100 0"}, "at most 20"},
		{"identNotASCII", Options{Direction: Receive, RxFile: rx, LocalIdent: "+49 30 12€"}, "not printable ASCII"},
		{"identControl", Options{Direction: Receive, RxFile: rx, LocalIdent: "12\n34"}, "not printable ASCII"},
		{"headerTooLong", Options{Direction: Send, TxFile: good, HeaderInfo: strings.Repeat("x", 51)}, "at most 50"},
		{"noTxFile", Options{Direction: Send}, "TxFile"},
		{"noRxFile", Options{Direction: Receive}, "RxFile"},
		{"rxFolderMissing", Options{Direction: Receive, RxFile: "/nonexistent/dir/rx.tif"}, "receive folder"},
		{"rxPathTooLong", Options{Direction: Receive, RxFile: t.TempDir() + "/" + strings.Repeat("r", 250) + ".tif"}, "at most 255"},
		{"txPathNUL", Options{Direction: Send, TxFile: good + "\x00x"}, "NUL"},
		{"badDirection", Options{Direction: 7, RxFile: rx}, "direction"},
		{"badRole", Options{Role: 5, Direction: Receive, RxFile: rx}, "role"},
		{"badModems", Options{Direction: Receive, RxFile: rx, Modems: 8}, "modem"},
		{"t38Version", Options{Direction: Receive, RxFile: rx, T38: T38Options{Version: 4}}, "version 4"},
		{"t38RateTooLow", Options{Direction: Receive, RxFile: rx, Modems: V17 | V29, T38: T38Options{MaxBitRate: 4800}}, "no modem"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewT38(tc.o, func([]byte, int) {})
			if err == nil {
				s.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
		})
	}
	if _, err := NewT38(Options{Direction: Receive, RxFile: rx}, nil); err == nil {
		t.Error("NewT38 accepted a nil tx function")
	}
	// Exactly at the limits is fine.
	s, err := NewAudio(Options{Direction: Send, TxFile: good, LocalIdent: strings.Repeat("9", 20), HeaderInfo: strings.Repeat("h", 50)})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// runAlone drives one session with nobody on the line until it gives up.
func runAlone(t *testing.T, s *Session) {
	t.Helper()
	f := make([]int16, frame)
	for i := 0; !s.Done(); i++ {
		if i > 5*60*50 {
			t.Fatalf("still running after %v: %+v", s.Clock(), s.Result())
		}
		if s.fax != nil {
			s.TxAudio(f)
			clear(f) // silence back
			s.RxAudio(f)
		} else {
			s.Advance(frame)
		}
	}
}

// TestNoAnswer: a caller whose far end never starts T.30 times out (T0);
// an answerer whose DIS is never answered gives up after three tries.
func TestNoAnswer(t *testing.T) {
	path, _ := writeDoc(t, 1, faxtiff.Standard)
	for _, tr := range transports[:2] { // alone: no line, so no codec
		for _, callerAlone := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/callerAlone=%v", tr.name, callerAlone), func(t *testing.T) {
				co, ao, _ := sendRecv(t, callerAlone, path) // the lone side sends
				o, wantCode, wantClass := ao, "T30_ERR_RETRYDCN", ClassTransfer
				if callerAlone {
					o, wantCode, wantClass = co, "T30_ERR_T0_EXPIRED", ClassTimeout
				}
				var evs []Event
				record(&o, &evs)
				var s *Session
				var err error
				if tr.name == "t38" {
					s, err = NewT38(o, func([]byte, int) {})
				} else {
					s, err = NewAudio(o)
				}
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				runAlone(t, s)
				r := s.Result()
				if r.OK || CodeName(r.Code) != wantCode || r.Class != wantClass || r.PagesTx != 0 {
					t.Errorf("result %+v (%s), want %s / %s", r, CodeName(r.Code), wantCode, wantClass)
				}
				if len(evs) != 1 || evs[0].Phase != PhaseE || evs[0].Code != r.Code {
					t.Errorf("events %v", phases(evs))
				}
				if callerAlone && (r.Elapsed < 55*time.Second || r.Elapsed > 65*time.Second) {
					t.Errorf("T0 after %v, want about 60 s", r.Elapsed)
				}
			})
		}
	}
}

// TestLineDies: one side vanishes after the first of three pages without a
// BYE; the other side's T.30 timers end the call.
func TestLineDies(t *testing.T) {
	path, sent := writeDoc(t, 3, faxtiff.Standard)
	for _, tr := range transports {
		for _, ecm := range []bool{true, false} {
			for _, senderDies := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/ecm=%v/senderDies=%v", tr.name, ecm, senderDies), func(t *testing.T) {
					co, ao, rxPath := sendRecv(t, true, path)
					co.ECM, ao.ECM = ecm, ecm
					c := tr.run(t, co, ao, link{step: func(c *call) bool { return c.a.Result().PagesTx >= 1 }})
					survivor, wantCode := c.a, "T30_ERR_TX_PHDDEAD"
					if senderDies {
						survivor, wantCode = c.b, "T30_ERR_RETRYDCN"
					}
					runAlone(t, survivor)
					r := survivor.Result()
					if r.OK || CodeName(r.Code) != wantCode || r.Class != ClassTransfer || r.PagesTx+r.PagesRx != 1 || len(r.PageTimes) != 1 {
						t.Errorf("survivor %+v (%s), want %s after 1 page", r, CodeName(r.Code), wantCode)
					}
					if senderDies {
						checkPages(t, rxPath, sent[:1])
					}
				})
			}
		}
	}
}

// TestRemoteHangup: the receiver goes away mid-document and the transport
// reports it (BYE): Hangup ends the sender with remote_hangup at once, and
// the page already received is kept.
func TestRemoteHangup(t *testing.T) {
	path, sent := writeDoc(t, 3, faxtiff.Standard)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			co, ao, rxPath := sendRecv(t, true, path)
			co.ECM, ao.ECM = true, true
			c := tr.run(t, co, ao, link{step: func(c *call) bool { return c.b.Result().PagesRx >= 1 }})
			at := c.a.Clock()
			c.b.Close() // the receiving machine is gone
			c.a.Hangup()
			if !c.a.Done() {
				t.Fatal("sender not done after Hangup")
			}
			// The receiver has page 1; the sender hung up before its MCF came.
			rs, rr := c.a.Result(), c.b.Result()
			for _, r := range []Result{rs, rr} {
				if r.OK || r.Code != CodeCallDropped || r.Class != ClassRemoteHangup {
					t.Errorf("%+v", r)
				}
			}
			if rs.PagesTx != 0 || rr.PagesRx != 1 || len(rr.PageTimes) != 1 {
				t.Errorf("pages: sender %d, receiver %d (%v)", rs.PagesTx, rr.PagesRx, rr.PageTimes)
			}
			if r := c.a.Result(); r.Elapsed != at {
				t.Errorf("sender elapsed %v, hung up at %v", r.Elapsed, at)
			}
			if n := len(c.evA); n == 0 || c.evA[n-1].Phase != PhaseE || c.evA[n-1].Code != CodeCallDropped {
				t.Errorf("sender events %v", phases(c.evA))
			}
			checkPages(t, rxPath, sent[:1])
			c.a.Hangup() // again: no second phase E
			if n := len(c.evA); c.evA[n-2].Phase == PhaseE {
				t.Errorf("second phase E: %v", phases(c.evA))
			}
		})
	}
}

// TestClose: Close is idempotent, safe before any use and from inside a
// callback, and every method is harmless afterwards.
func TestClose(t *testing.T) {
	rx := filepath.Join(t.TempDir(), "rx.tif")
	for _, tr := range []string{"t38", "audio"} {
		t.Run(tr, func(t *testing.T) {
			var evs []Event
			o := Options{Direction: Receive, RxFile: rx}
			record(&o, &evs)
			var s *Session
			var err error
			if tr == "t38" {
				s, err = NewT38(o, func([]byte, int) { t.Error("tx after Close") })
			} else {
				s, err = NewAudio(o)
			}
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			s.Close()
			if len(evs) != 1 || evs[0].Phase != PhaseE || evs[0].Code != CodeCallDropped {
				t.Errorf("events %v", phases(evs))
			}
			f := []int16{1, 2, 3}
			if !s.Advance(frame) || !s.Done() || s.TxAudio(f) != 0 || f[0] != 0 {
				t.Error("closed session still runs")
			}
			s.RxIFP([]byte{0x00, 0x01}, 1)
			s.RxAudio(make([]int16, frame))
			s.RxFillin(frame)
			s.Hangup()
			if len(evs) != 1 || s.Result().Code != CodeCallDropped || s.Clock() != 0 {
				t.Errorf("after Close: events %v result %+v clock %v", phases(evs), s.Result(), s.Clock())
			}
		})
	}
	t.Run("insideOnEvent", func(t *testing.T) {
		path, _ := writeDoc(t, 1, faxtiff.Standard)
		co, ao, _ := sendRecv(t, true, path)
		var sender *Session
		closed := 0
		co.OnEvent = func(e Event) {
			if e.Phase == PhaseD && closed == 0 {
				sender.Close()
				closed++
			}
		}
		c := runT38(t, co, ao, link{step: func(c *call) bool {
			sender = c.a
			return closed > 0
		}})
		if n := len(c.evA); n == 0 || c.evA[n-1].Phase != PhaseE || !c.a.Done() || !c.a.closed {
			t.Errorf("sender closed from OnEvent: events %v", phases(c.evA))
		}
		c.a.Close()
	})
}

// TestTxValidated: with Options.TxValidated the session trusts the caller's
// check and does not open the file itself (so even a file that would fail
// the check constructs; spandsp reads it only once the call reaches phase
// C); without it the same file is refused (TestUnsendableFiles).
func TestTxValidated(t *testing.T) {
	for _, f := range unsendableFiles(t) {
		if f.name != "corrupt" && f.name != "width1700" {
			continue
		}
		for _, validated := range []bool{false, true} {
			s, err := NewAudio(Options{Direction: Send, TxFile: f.path, TxValidated: validated})
			if err == nil {
				s.Close()
			}
			if (err == nil) != validated {
				t.Errorf("%s, TxValidated %t: err %v", f.name, validated, err)
			}
		}
	}
}
