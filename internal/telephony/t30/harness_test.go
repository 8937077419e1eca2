//go:build cgo

package t30

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"faxgate/internal/faxtiff"
	"faxgate/internal/telephony/g711"
)

// This file holds the in-test line: two real Sessions back to back, a
// simulated 8 kHz clock advanced 160 samples (20 ms) per step.

const frame = 160 // samples per step (20 ms)

// call is the outcome of one back-to-back run.
type call struct {
	a, b     *Session // caller, answerer
	evA, evB []Event
	sim      time.Duration
	packets  int         // IFPs sent (T.38), counting repeats
	maxIFP   int         // longest IFP
	repeats  map[int]int // tx calls by repeat count
}

// link tunes a run.
type link struct {
	maxSim time.Duration // give up after this much simulated time (default 15 min)
	// direct makes each T.38 tx callback feed the peer at once, from inside
	// the sender's call (proves callbacks run after spandsp returns).
	direct bool
	// step, if set, runs after every step; returning true ends the run.
	step func(c *call) bool
	// drop, if set, says whether to lose the IFP / audio frame number n
	// sent by side 0 (caller) or 1 (answerer).
	drop func(side, n int) bool
	// law, for audio, passes frames through G.711 "pcmu" or "pcma" (else
	// linear).
	law string
}

type ifpPkt struct {
	seq  uint16
	data []byte
}

// record wraps o.OnEvent so the run keeps every event.
func record(o *Options, evs *[]Event) {
	next := o.OnEvent
	o.OnEvent = func(e Event) {
		*evs = append(*evs, e)
		if next != nil {
			next(e)
		}
	}
}

// runT38 connects a caller and an answerer T.38 session and runs them until
// both are done (or the link's step hook stops the run).
func runT38(tb testing.TB, co, ao Options, l link) *call {
	tb.Helper()
	c := &call{repeats: map[int]int{}}
	record(&co, &c.evA)
	record(&ao, &c.evB)
	var toA, toB []ifpPkt
	var seq [2]uint16
	var sent [2]int
	// mkTx returns side's tx function: it numbers each IFP once and queues
	// (or delivers) it count times, as UDPTL would.
	mkTx := func(side int, peer **Session, queue *[]ifpPkt) func([]byte, int) {
		return func(ifp []byte, count int) {
			p := ifpPkt{seq: seq[side], data: bytes.Clone(ifp)}
			seq[side]++
			c.repeats[count]++
			c.maxIFP = max(c.maxIFP, len(ifp))
			for range count {
				c.packets++
				sent[side]++
				if l.drop != nil && l.drop(side, sent[side]) {
					continue
				}
				if l.direct {
					(*peer).RxIFP(p.data, p.seq)
				} else {
					*queue = append(*queue, p)
				}
			}
		}
	}
	var err error
	if c.a, err = NewT38(co, mkTx(0, &c.b, &toB)); err != nil {
		tb.Fatalf("caller: %v", err)
	}
	tb.Cleanup(c.a.Close)
	if c.b, err = NewT38(ao, mkTx(1, &c.a, &toA)); err != nil {
		tb.Fatalf("answerer: %v", err)
	}
	tb.Cleanup(c.b.Close)
	deliver := func(s *Session, q *[]ifpPkt) {
		pending := *q
		*q = nil
		for _, p := range pending {
			s.RxIFP(p.data, p.seq)
		}
	}
	loop(tb, c, l, func() {
		deliver(c.a, &toA)
		deliver(c.b, &toB)
		c.a.Advance(frame)
		c.b.Advance(frame)
	})
	return c
}

// runAudio connects a caller and an answerer audio session, exchanging one
// 160-sample frame each way per step (a lost frame becomes RxFillin).
func runAudio(tb testing.TB, co, ao Options, l link) *call {
	tb.Helper()
	c := &call{}
	record(&co, &c.evA)
	record(&ao, &c.evB)
	var err error
	if c.a, err = NewAudio(co); err != nil {
		tb.Fatalf("caller: %v", err)
	}
	tb.Cleanup(c.a.Close)
	if c.b, err = NewAudio(ao); err != nil {
		tb.Fatalf("answerer: %v", err)
	}
	tb.Cleanup(c.b.Close)
	fa, fb := make([]int16, frame), make([]int16, frame)
	wire := make([]byte, frame)
	n := 0
	loop(tb, c, l, func() {
		n++
		c.a.TxAudio(fa)
		c.b.TxAudio(fb)
		companding(l.law, wire, fa)
		companding(l.law, wire, fb)
		if l.drop != nil && l.drop(1, n) {
			c.a.RxFillin(frame)
		} else {
			c.a.RxAudio(fb)
		}
		if l.drop != nil && l.drop(0, n) {
			c.b.RxFillin(frame)
		} else {
			c.b.RxAudio(fa)
		}
	})
	return c
}

// companding sends f through a G.711 codec and back, as RTP would.
func companding(law string, wire []byte, f []int16) {
	switch law {
	case "pcmu":
		g711.EncodeULaw(wire, f)
		g711.DecodeULaw(f, wire)
	case "pcma":
		g711.EncodeALaw(wire, f)
		g711.DecodeALaw(f, wire)
	}
}

// loop runs step until both sessions are done, the hook ends the run, or
// the simulated time limit passes (a test failure).
func loop(tb testing.TB, c *call, l link, step func()) {
	tb.Helper()
	limit := l.maxSim
	if limit == 0 {
		limit = 15 * time.Minute
	}
	for !(c.a.Done() && c.b.Done()) {
		step()
		c.sim += 20 * time.Millisecond
		if l.step != nil && l.step(c) {
			return
		}
		if c.sim > limit {
			tb.Fatalf("no end after %v simulated: caller %+v, answerer %+v", c.sim, c.a.Result(), c.b.Result())
		}
	}
}

// glyphs is a fixed "font": each glyph is a few vertical strokes, given as
// (column, first row) pairs in a 10 x 16 cell, so pages code like text.
var glyphs = func() [][][2]int {
	rng := rand.New(rand.NewPCG(1, 2))
	g := make([][][2]int, 40)
	for i := range g {
		for range 1 + rng.IntN(3) {
			g[i] = append(g[i], [2]int{rng.IntN(8), rng.IntN(8)})
		}
	}
	return g
}()

// testPage draws a deterministic page that looks like text to a fax coder:
// about 30 lines of words, roughly as dense as a typed letter (about
// 20 KB as T.6 at fine resolution).
func testPage(res faxtiff.Resolution, seed uint64) *faxtiff.Page {
	p := faxtiff.NewPage(faxtiff.WidthA4, res.A4Rows(), res)
	rng := rand.New(rand.NewPCG(seed, 0x7e57))
	scale := p.YDPI / 196 // rows per fine row
	cell := int(16 * scale)
	pitch := p.Height / 40
	for line := range 30 {
		y0 := pitch*(line+5) - cell
		x, end := 160, 160+rng.IntN(p.Width-400)
		if rng.IntN(8) == 0 {
			end = 160 // empty line
		}
		for x < end {
			for range 3 + rng.IntN(7) {
				for _, st := range glyphs[rng.IntN(len(glyphs))] {
					for y := y0 + int(float64(st[1])*scale); y < y0+cell; y++ {
						p.SetBlack(x+st[0], y, true)
						p.SetBlack(x+st[0]+1, y, true)
					}
				}
				x += 12
			}
			x += 14
		}
	}
	// A page number (seed strokes) so the pages of a document differ.
	for i := 0; i <= int(seed%16); i++ {
		for y := int(40 * scale); y < int(60*scale); y++ {
			p.SetBlack(p.Width-300+6*i, y, true)
		}
	}
	return p
}

// writeDoc writes an n-page document at res and returns its path and pages.
func writeDoc(tb testing.TB, n int, res faxtiff.Resolution) (string, []*faxtiff.Page) {
	tb.Helper()
	pages := make([]*faxtiff.Page, n)
	for i := range pages {
		pages[i] = testPage(res, uint64(i+1))
	}
	path := filepath.Join(tb.TempDir(), "tx.tif")
	if err := faxtiff.WriteFile(path, pages); err != nil {
		tb.Fatal(err)
	}
	return path, pages
}

// sendRecv returns caller/answerer options for a transfer in the given
// direction: the sender gets txPath, the receiver an rx file in a temp dir.
func sendRecv(tb testing.TB, callerSends bool, txPath string) (co, ao Options, rxPath string) {
	tb.Helper()
	rxPath = filepath.Join(tb.TempDir(), "rx.tif")
	tx := Options{Direction: Send, TxFile: txPath, LocalIdent: "+1 555 0100"}
	rx := Options{Direction: Receive, RxFile: rxPath, LocalIdent: "+1 555 0199"}
	if callerSends {
		co, ao = tx, rx
	} else {
		co, ao = rx, tx
	}
	co.Role, ao.Role = Caller, Answerer
	return co, ao, rxPath
}
