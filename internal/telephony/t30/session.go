//go:build cgo

package t30

import (
	"errors"
	"runtime/cgo"
	"slices"
	"time"
)

// Session is one fax call in one role and direction over one transport.
//
// A Session is owned by one goroutine: it is not safe for concurrent use, and
// every callback (the T.38 tx function, OnEvent, the log) runs on the goroutine
// that called the method that caused it. Close must be called to free the C
// state, also after the call is done.
type Session struct {
	opts      Options
	transport string // "t38" or "audio"
	tx        func(ifp []byte, count int)

	handle cgo.Handle
	t38    *cT38
	fax    *cFax
	t30    *cT30
	core   *cCore

	tag  string // unique log tag spandsp prints (registry key)
	cTag *cChar // the same tag in C memory, alive until Close

	ifpBuf   *cUint8
	ifpCap   int
	audioBuf *cInt16
	audioCap int

	clock  int64 // session clock in 8 kHz samples
	done   bool  // T.30 finished (phase E seen or terminal done)
	ended  bool  // phase E seen
	closed bool

	result Result

	// Output gathered while spandsp runs and delivered after it returns.
	queue    []output
	outBytes []byte
	events   []Event
	flushing bool
}

// output is one queued delivery: an IFP (event < 0) or an event.
type output struct {
	off, n, count int
	event         int
}

// phaseSnap is the Go copy of a C fg_snap.
type phaseSnap struct {
	phase            Phase
	code             int
	text             string
	bitRate          int
	ecm              bool
	pagesTx, pagesRx int
	xRes, yRes       int
	width, length    int
	badRows          int
	encoding         int
	remoteIdent      string
}

// NewT38 creates a T.38 terminal session. tx receives every IFP packet the
// session emits with the number of times it must be sent (spandsp's repeat
// count: 3 for indicators and end-of-data, 1 for data). The IFP slice is only
// valid during the call. tx runs after spandsp returns, so it may feed the
// packet to another session directly.
func NewT38(opts Options, tx func(ifp []byte, count int)) (*Session, error) {
	if tx == nil {
		return nil, errors.New("t30: NewT38 needs a tx function")
	}
	s, err := newSession(opts, "t38")
	if err != nil {
		return nil, err
	}
	s.tx = tx
	return s, nil
}

// NewAudio creates a G.711-leg session: 8 kHz linear audio in (RxAudio,
// RxFillin) and out (TxAudio).
func NewAudio(opts Options) (*Session, error) {
	return newSession(opts, "audio")
}

func newSession(opts Options, transport string) (*Session, error) {
	if err := opts.check(transport); err != nil {
		return nil, err
	}
	installLogging()
	s := &Session{
		opts:      opts,
		transport: transport,
		result:    Result{Code: -1, Text: "call in progress"},
	}
	s.handle = cgo.NewHandle(s)
	var err error
	if transport == "t38" {
		err = s.newT38State()
	} else {
		err = s.newAudioState()
	}
	if err == nil {
		s.setupLogging()
		err = s.configureT30()
	}
	if err != nil {
		s.closed = true
		s.freeC()
		return nil, err
	}
	return s, nil
}

// RxIFP delivers one received IFP packet with its own UDPTL sequence number
// (packets recovered from redundancy carry theirs). Repeats are dropped by
// spandsp. The slice is copied.
func (s *Session) RxIFP(ifp []byte, seq uint16) {
	if s.closed || s.t38 == nil || len(ifp) == 0 {
		return
	}
	s.rxIFP(ifp, seq)
	s.flush()
}

// Advance moves the T.38 session clock by samples (8 kHz; 160 = 20 ms),
// which runs T.30 timers and paced transmission, and reports whether T.30 is
// done. Call it at least every 20 ms with the samples actually elapsed. On
// an audio session time moves with RxAudio/RxFillin instead, and Advance
// only reports Done.
func (s *Session) Advance(samples int) (done bool) {
	if s.closed {
		return true
	}
	if s.t38 == nil || samples <= 0 {
		return s.done
	}
	s.clock += int64(samples)
	if s.sendTimeout(samples) {
		s.done = true
	}
	s.flush()
	return s.done
}

// RxAudio feeds received linear samples (normally 160 = 20 ms) and advances
// the clock by their length. The frame is copied, because fax_rx modifies
// its input.
func (s *Session) RxAudio(frame []int16) {
	if s.closed || s.fax == nil {
		return
	}
	for len(frame) > 0 {
		n := min(len(frame), 320)
		copy(s.audio(n), frame[:n])
		s.clock += int64(n)
		s.faxRx(n)
		frame = frame[n:]
	}
	s.flush()
}

// RxFillin stands in for samples that never arrived (a lost or late RTP
// frame). T.30 timers only advance on received audio, so the ticker must
// call this for every missing frame.
func (s *Session) RxFillin(samples int) {
	if s.closed || s.fax == nil || samples <= 0 {
		return
	}
	s.clock += int64(samples)
	s.faxRxFillin(samples)
	s.flush()
}

// TxAudio fills frame with the next samples to send and returns how many
// were produced (all of them unless NoTransmitOnIdle is set and the modem
// is idle). It does not advance the clock.
func (s *Session) TxAudio(frame []int16) int {
	if s.closed || s.fax == nil {
		clear(frame)
		return 0
	}
	total := 0
	for total < len(frame) {
		want := min(len(frame)-total, 320)
		buf := s.audio(want)
		n := s.faxTx(want)
		copy(frame[total:total+n], buf[:n])
		total += n
		if n < want {
			break
		}
	}
	s.flush()
	return total
}

// Hangup tells T.30 the call is gone (BYE received or sent). If phase E has
// not happened it happens now, with T30_ERR_CALLDROPPED unless the call was
// already in its final disconnect.
func (s *Session) Hangup() {
	if s.closed {
		return
	}
	s.terminate()
	s.done = true
	s.flush()
}

// Done reports whether T.30 has finished (phase E reached).
func (s *Session) Done() bool { return s.done }

// Clock returns the session clock: simulated or real time fed through
// Advance, RxAudio and RxFillin.
func (s *Session) Clock() time.Duration { return samplesToDuration(s.clock) }

// Result returns the outcome so far; it is final once Done reports true.
// Before phase E, Code is -1 and Elapsed is the current clock.
func (s *Session) Result() Result {
	r := s.result
	r.PageTimes = slices.Clone(r.PageTimes)
	if !s.ended {
		r.Elapsed = s.Clock()
	}
	return r
}

// Close ends the session and frees its C state exactly once. If the call was
// still running it is terminated first (see Hangup) and OnEvent receives the
// phase E event before Close returns. Close is idempotent and safe on a
// session that never ran.
func (s *Session) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.terminate()
	s.done = true
	s.freeC()
	s.flush()
}

// onPhase records a phase callback; it runs inside spandsp, so it only
// updates Go state and queues the event.
func (s *Session) onPhase(p phaseSnap) {
	r := &s.result
	at := s.Clock()
	r.BitRate, r.ECM = p.bitRate, p.ecm
	if p.remoteIdent != "" {
		r.RemoteIdent = p.remoteIdent
	}
	if p.width > 0 {
		r.Width = p.width
		r.XRes, r.YRes = ppmToDPI(p.xRes), ppmToDPI(p.yRes)
		r.Compression = compressionName(p.encoding)
	}
	if p.length > 0 {
		// A receiver never sees it: spandsp 0.0.6 resets the row count
		// before phase D.
		r.Length = p.length
	}
	if p.pagesRx > r.PagesRx {
		r.BadRows += p.badRows
	}
	for n := r.PagesTx + r.PagesRx; n < p.pagesTx+p.pagesRx; n++ {
		r.PageTimes = append(r.PageTimes, at)
	}
	r.PagesTx, r.PagesRx = p.pagesTx, p.pagesRx
	if p.phase == PhaseE && !s.ended {
		s.ended, s.done = true, true
		r.Code, r.Text = p.code, p.text
		r.OK = p.code == CodeOK
		r.Class = Classify(p.code)
		r.Elapsed = at
	}
	if s.opts.OnEvent != nil {
		s.events = append(s.events, Event{
			Phase: p.phase, Code: p.code, Text: p.text, At: at,
			PagesTx: p.pagesTx, PagesRx: p.pagesRx, Result: s.Result(),
		})
		s.queue = append(s.queue, output{event: len(s.events) - 1})
	}
}

// queuePacket copies an IFP spandsp wants sent; spandsp reuses buf.
func (s *Session) queuePacket(buf []byte, count int) {
	off := len(s.outBytes)
	s.outBytes = append(s.outBytes, buf...)
	s.queue = append(s.queue, output{off: off, n: len(buf), count: count, event: -1})
}

// flush delivers queued packets and events in the order spandsp produced
// them. It runs after every C call, so callbacks never execute inside
// spandsp and may call back into any session. A nested call (a callback
// driving this session again) only queues; the outer loop delivers.
func (s *Session) flush() {
	if s.flushing || len(s.queue) == 0 {
		return
	}
	s.flushing = true
	defer func() {
		s.queue, s.outBytes, s.events = s.queue[:0], s.outBytes[:0], s.events[:0]
		s.flushing = false
	}()
	for i := 0; i < len(s.queue); i++ {
		o := s.queue[i]
		if o.event >= 0 {
			s.opts.OnEvent(s.events[o.event])
			continue
		}
		if s.tx != nil {
			s.tx(s.outBytes[o.off:o.off+o.n:o.off+o.n], o.count)
		}
	}
}
