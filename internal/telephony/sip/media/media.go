// Package media runs the fax of one SIP call over its media socket: G.711
// audio over RTP (internal/telephony/rtp, g711) or T.38 over UDPTL
// (internal/telephony/udptl), with the fax engine of internal/telephony/t30,
// and switches between the two when the signalling says so.
//
// # Goroutines and clock
//
// An Engine has two goroutines. The reader only reads datagrams from the
// socket and queues them (dropping, and counting, when the queue is full).
// The loop owns everything else: the t30 Session, the RTP session, the
// UDPTL encoder and decoder, and a 20 ms monotonic ticker. Datagrams are
// handled as they arrive (UDPTL IFPs go to the fax engine at once; RTP
// goes into the playout buffer). On each tick the loop feeds the engine
// the time that really elapsed, computed from the monotonic clock rather
// than by counting ticks:
//
//   - audio: one 20 ms frame per elapsed frame period: TxAudio → G.711 →
//     RTP out; playout buffer → RxAudio, or RxFillin(160) when the frame is
//     missing (T.30 timers only advance on received audio);
//   - T.38: Advance(samples) in slices of at most 160 samples; every IFP
//     the engine emits is UDPTL-encoded once and sent as many times as
//     spandsp asks (3 for indicators and end of data), with one sequence
//     number.
//
// Signalling talks to the loop through commands (Switch, Update, Hangup,
// Stop), each answered when the loop has applied it, so no state is
// shared.
//
// # Switching
//
// Switch closes the current t30 session and creates one for the new
// transport with the same role, direction and files: T.30 starts over,
// which works because switches happen in phase A/B. The socket stays the
// same (the m=image port is the m=audio port). For two seconds after a
// switch to T.38, datagrams that look like the far end's last RTP packets
// are dropped instead of being decoded as UDPTL.
package media

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"faxgate/internal/telephony/g711"
	"faxgate/internal/telephony/rtp"
	"faxgate/internal/telephony/t30"
	"faxgate/internal/telephony/udptl"
)

// Transport is the media a fax runs on.
type Transport string

const (
	None Transport = ""
	G711 Transport = "g711"
	T38  Transport = "t38"
)

// Counters count one media leg's datagrams (RTP packets or UDPTL
// datagrams, every repeat included). Recovered counts IFPs rebuilt from
// UDPTL redundancy or FEC.
type Counters struct {
	Sent, Received, Lost, Recovered uint64
}

// Add returns the sum of two counters.
func (c Counters) Add(o Counters) Counters {
	return Counters{c.Sent + o.Sent, c.Received + o.Received, c.Lost + o.Lost, c.Recovered + o.Recovered}
}

// AudioParams configures a G.711 leg.
type AudioParams struct {
	Remote      netip.AddrPort // far RTP address from SDP (may need comedia)
	PayloadType uint8          // rtp.PTPCMU or rtp.PTPCMA
	EventPT     uint8          // far telephone-event payload type to ignore; 0 = 101
	// Delay is the fixed playout delay; 0 = DefaultPlayoutDelay.
	Delay time.Duration
}

// DefaultPlayoutDelay is the G.711 playout delay. It is far above the
// 60 ms of package rtp: a frame that misses its playout time becomes a
// fill-in, and a fax modem loses its HDLC frames or training over a few of
// them, while a fixed 300 ms of latency costs a fax nothing (T.30 timers
// are seconds). On a loaded machine (load 10 on 2 cores) the sender's own
// 20 ms ticks were measured up to 240 ms late.
const DefaultPlayoutDelay = 300 * time.Millisecond

// T38Params configures a T.38 leg.
type T38Params struct {
	Remote  netip.AddrPort
	Options t30.T38Options      // agreed version, rate, fill bit removal
	Encoder udptl.EncoderConfig // error correction, depth, far max datagram
}

// Params selects the transport and its parameters.
type Params struct {
	Transport Transport
	Audio     AudioParams
	T38       T38Params
}

// Config configures an Engine.
type Config struct {
	// Conn is the call's media socket (RTP, and UDPTL after a switch).
	// The Engine reads and writes it but does not close it.
	Conn *net.UDPConn
	// Fax configures the t30 sessions; its T38 field and OnEvent are set
	// by the Engine.
	Fax t30.Options
	// OnEvent receives the fax events of the current session on the loop
	// goroutine; it must not block.
	OnEvent func(t30.Event)
	Logger  *slog.Logger
}

// Result is what the media did.
type Result struct {
	// Fax is the result of the last session (the one that ran the fax).
	Fax        t30.Result
	Transport  Transport
	RTP, UDPTL Counters
	Switches   int
	// MaxLag is the most a tick ran late: how far the call fell behind
	// real time (a G.711 leg loses frames beyond its 60 ms playout delay).
	MaxLag time.Duration
	// Dropped counts datagrams the reader dropped because the loop was
	// behind; Stray those of the far end's previous transport; FillIns the
	// G.711 frames that were missing at their playout time (lost or late).
	Dropped, Stray, FillIns uint64
}

// Engine runs the fax of one call. See the package documentation.
type Engine struct {
	cfg     Config
	cmds    chan command
	rx      chan datagram
	free    chan []byte
	faxDone chan struct{}
	stopped chan struct{}
	readEnd chan struct{}
	once    sync.Once

	pages      atomic.Int32
	negotiated atomic.Bool
	dropped    atomic.Uint64

	result Result // written by the loop before stopped closes
	loop   loopState
}

// ErrStopped is returned by commands sent after the engine stopped.
var ErrStopped = errors.New("media: engine stopped")

// ErrFaxOver is returned by Switch once T.30 reached phase E.
var ErrFaxOver = errors.New("media: the fax is over")

type cmdKind int

const (
	cmdSwitch cmdKind = iota
	cmdUpdate
	cmdHangup
	cmdStop
)

type command struct {
	kind  cmdKind
	p     Params
	reply chan error
}

type datagram struct {
	b    []byte
	from netip.AddrPort
	at   time.Time
}

// Queue sizes: 64 datagrams is more than a second of a call's media.
const (
	rxQueue   = 64
	bufSize   = 2048
	tickEvery = 20 * time.Millisecond
	frame     = rtp.FrameSamples // 160 samples = 20 ms
	// maxCatchUp bounds the audio frames processed in one late tick: a
	// late tick still sends every frame due (a gap would break the modem
	// signal); only beyond a second of lag are frames given up (RxFillin
	// keeps the T.30 clock right, nothing is sent for them).
	maxCatchUp = 50
	// strayWindow is how long after a switch to T.38 RTP-looking datagrams
	// are dropped.
	strayWindow = 2 * time.Second
)

// Start creates the first t30 session for p and starts the engine.
func Start(cfg Config, p Params) (*Engine, error) {
	if cfg.Conn == nil {
		return nil, errors.New("media: no socket")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		cfg:     cfg,
		cmds:    make(chan command),
		rx:      make(chan datagram, rxQueue),
		free:    make(chan []byte, rxQueue+4),
		faxDone: make(chan struct{}),
		stopped: make(chan struct{}),
		readEnd: make(chan struct{}),
	}
	e.loop.e = e
	if err := e.loop.open(p); err != nil {
		return nil, err
	}
	go e.read()
	go e.run()
	return e, nil
}

// FaxDone is closed when T.30 reached phase E (the fax is over, well or
// not); the engine keeps running until Stop so the last frames get out.
func (e *Engine) FaxDone() <-chan struct{} { return e.faxDone }

// Stopped is closed when the loop has ended (after Stop, or a fatal error).
func (e *Engine) Stopped() <-chan struct{} { return e.stopped }

// Pages returns the pages transferred so far (sent plus received).
func (e *Engine) Pages() int { return int(e.pages.Load()) }

// Negotiated reports whether T.30 got to phase B on any session.
func (e *Engine) Negotiated() bool { return e.negotiated.Load() }

// Switch moves the fax to another transport (see the package doc).
func (e *Engine) Switch(p Params) error { return e.do(command{kind: cmdSwitch, p: p}) }

// Update changes the far address (or G.711 codec) of the current
// transport without touching the fax session.
func (e *Engine) Update(p Params) error { return e.do(command{kind: cmdUpdate, p: p}) }

// Hangup tells the fax engine the call is gone (BYE): phase E follows.
func (e *Engine) Hangup() error { return e.do(command{kind: cmdHangup}) }

// Stop ends the engine: it closes the fax session (phase E with "call
// dropped" if the fax was not done), stops the reader and returns the
// result. It is idempotent.
func (e *Engine) Stop() Result {
	e.once.Do(func() {
		_ = e.do(command{kind: cmdStop})
		<-e.stopped
		// Unblock the reader without closing the socket (its owner does).
		_ = e.cfg.Conn.SetReadDeadline(time.Now())
		<-e.readEnd
		_ = e.cfg.Conn.SetReadDeadline(time.Time{})
	})
	return e.result
}

func (e *Engine) do(c command) error {
	c.reply = make(chan error, 1)
	select {
	case e.cmds <- c:
	case <-e.stopped:
		return ErrStopped
	}
	select {
	case err := <-c.reply:
		return err
	case <-e.stopped:
		return ErrStopped
	}
}

// read queues every datagram for the loop.
func (e *Engine) read() {
	defer close(e.readEnd)
	for {
		var buf []byte
		select {
		case buf = <-e.free:
		default:
			buf = make([]byte, bufSize)
		}
		n, from, err := e.cfg.Conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			select {
			case <-e.stopped:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return
			}
			// A transient error (e.g. ICMP reported on the socket): keep reading.
			time.Sleep(time.Millisecond)
			continue
		}
		select {
		case e.rx <- datagram{b: buf[:n], from: from, at: time.Now()}:
		case <-e.stopped:
			return
		default:
			e.dropped.Add(1)
		}
	}
}

func (e *Engine) recycle(b []byte) {
	select {
	case e.free <- b[:cap(b)]:
	default:
	}
}

// run is the loop goroutine.
func (e *Engine) run() {
	l := &e.loop
	defer close(e.stopped)
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		select {
		case d := <-e.rx:
			l.receive(d)
			e.recycle(d.b)
		case now := <-t.C:
			l.tick(now)
		case c := <-e.cmds:
			if c.kind == cmdStop {
				l.finish()
				c.reply <- nil
				return
			}
			c.reply <- l.command(c)
		}
		l.checkDone()
	}
}

// loopState is owned by the loop goroutine (and by Start before it runs).
type loopState struct {
	e     *Engine
	p     Params
	sess  *t30.Session
	gen   int // generation of sess: events of closed sessions are ignored
	start time.Time
	fed   int64 // samples fed to sess (T.38) ...
	done  int64 // ... or audio frames processed

	// audio
	rtp     *rtp.Session
	encode  func([]byte, []int16)
	decode  func([]int16, []byte)
	txPCM   []int16
	rxPCM   []int16
	payload []byte
	pkt     []byte

	// T.38
	enc       *udptl.Encoder
	dec       *udptl.Decoder
	dg        []byte
	remote    netip.AddrPort
	learn     bool // comedia: take the far address from the first datagram
	udptlSent uint64
	switched  time.Time

	rtpTotal, udptlTotal Counters
	final                t30.Result
	haveFinal            bool
	switches             int
	maxLag               time.Duration
	stray                uint64
	fillIns, fillInsSeen uint64 // playout fill-ins: total, and of the current RTP session
	encErr               error
}

// open creates the session and the transport state for p.
func (l *loopState) open(p Params) error {
	l.gen++
	gen := l.gen
	opts := l.e.cfg.Fax
	opts.OnEvent = func(ev t30.Event) { l.onEvent(gen, ev) }
	var err error
	switch p.Transport {
	case G711:
		if err = l.openAudio(p.Audio); err == nil {
			l.sess, err = t30.NewAudio(opts)
		}
	case T38:
		opts.T38 = p.T38.Options
		l.openT38(p.T38)
		l.sess, err = t30.NewT38(opts, l.transmit)
	default:
		err = fmt.Errorf("media: unknown transport %q", p.Transport)
	}
	if err != nil {
		l.sess = nil
		return err
	}
	l.p = p
	l.start, l.fed, l.done = time.Now(), 0, 0
	return nil
}

func (l *loopState) openAudio(a AudioParams) error {
	if a.Delay == 0 {
		a.Delay = DefaultPlayoutDelay
	}
	s, err := rtp.NewSession(rtp.Config{PayloadType: a.PayloadType, EventPT: a.EventPT, Remote: a.Remote, Delay: a.Delay})
	if err != nil {
		return err
	}
	l.rtp, l.fillInsSeen = s, 0
	l.encode, l.decode = g711.EncodeULaw, g711.DecodeULaw
	if a.PayloadType == rtp.PTPCMA {
		l.encode, l.decode = g711.EncodeALaw, g711.DecodeALaw
	}
	if l.txPCM == nil {
		l.txPCM, l.rxPCM = make([]int16, frame), make([]int16, frame)
		l.payload = make([]byte, frame)
	}
	return nil
}

func (l *loopState) openT38(t T38Params) {
	l.enc = udptl.NewEncoder(t.Encoder)
	l.dec = udptl.NewDecoder()
	l.dec.SetT38Version(t.Options.Version)
	l.setT38Remote(t.Remote)
	l.switched = time.Now()
}

func (l *loopState) setT38Remote(ap netip.AddrPort) {
	l.remote, l.learn = ap, rtp.NeedsComedia(ap)
}

// onEvent tracks progress and forwards the current session's events.
func (l *loopState) onEvent(gen int, ev t30.Event) {
	if gen != l.gen {
		return // the session being replaced by a switch says "call dropped"
	}
	switch ev.Phase {
	case t30.PhaseB:
		l.e.negotiated.Store(true)
	case t30.PhaseE:
		l.final, l.haveFinal = ev.Result, true
	}
	l.e.pages.Store(int32(ev.PagesTx + ev.PagesRx))
	if l.e.cfg.OnEvent != nil {
		l.e.cfg.OnEvent(ev)
	}
}

func (l *loopState) checkDone() {
	if l.sess != nil && l.sess.Done() {
		select {
		case <-l.e.faxDone:
		default:
			close(l.e.faxDone)
		}
	}
}

func (l *loopState) command(c command) error {
	switch c.kind {
	case cmdSwitch:
		if c.p.Transport == l.p.Transport {
			return l.update(c.p)
		}
		if l.haveFinal {
			return ErrFaxOver // a new session would start T.30 over and replace the result
		}
		l.closeLeg()
		if err := l.open(c.p); err != nil {
			return fmt.Errorf("media: switch to %s: %w", c.p.Transport, err)
		}
		l.switches++
		return nil
	case cmdUpdate:
		return l.update(c.p)
	case cmdHangup:
		if l.sess != nil {
			l.sess.Hangup()
		}
		return nil
	}
	return fmt.Errorf("media: unknown command %d", c.kind)
}

// update changes the far address of the running transport.
func (l *loopState) update(p Params) error {
	if p.Transport != l.p.Transport {
		return fmt.Errorf("media: update to %s while running %s", p.Transport, l.p.Transport)
	}
	switch p.Transport {
	case G711:
		if p.Audio.PayloadType != l.p.Audio.PayloadType {
			l.rtpTotal = l.rtpTotal.Add(l.rtpCounters())
			if err := l.openAudio(p.Audio); err != nil {
				return err
			}
		} else if p.Audio.Remote != l.p.Audio.Remote {
			l.rtp.SetRemote(p.Audio.Remote)
		}
	case T38:
		if p.T38.Remote != l.p.T38.Remote {
			l.setT38Remote(p.T38.Remote)
		}
		p.T38.Encoder = l.p.T38.Encoder // a new encoder would restart the sequence numbers
	}
	l.p = p
	return nil
}

// closeLeg closes the current session and adds its counters to the totals.
func (l *loopState) closeLeg() {
	switch l.p.Transport {
	case G711:
		l.rtpTotal = l.rtpTotal.Add(l.rtpCounters())
		l.rtp = nil
	case T38:
		l.udptlTotal = l.udptlTotal.Add(l.udptlCounters())
		l.udptlSent, l.enc, l.dec = 0, nil, nil
	}
	if l.sess != nil {
		l.gen++ // its phase E ("call dropped") is not the call's
		l.sess.Close()
		l.sess = nil
	}
}

func (l *loopState) rtpCounters() Counters {
	if l.rtp == nil {
		return Counters{}
	}
	st := l.rtp.Stats()
	l.fillIns += st.FillIns - l.fillInsSeen
	l.fillInsSeen = st.FillIns
	return Counters{Sent: st.Sent, Received: st.Received, Lost: st.Lost}
}

func (l *loopState) udptlCounters() Counters {
	if l.dec == nil {
		return Counters{}
	}
	st := l.dec.Stats()
	return Counters{Sent: l.udptlSent, Received: st.Received, Lost: st.Lost, Recovered: st.Recovered}
}

// finish closes the session (phase E if unfinished) and writes the result.
func (l *loopState) finish() {
	if l.sess != nil {
		l.sess.Close() // fires phase E through onEvent if the fax was not done
	}
	r := &l.e.result
	r.Fax = l.final
	if !l.haveFinal && l.sess != nil {
		r.Fax = l.sess.Result()
	}
	r.Transport = l.p.Transport
	r.RTP = l.rtpTotal.Add(l.rtpCounters())
	r.UDPTL = l.udptlTotal.Add(l.udptlCounters())
	r.Switches, r.MaxLag = l.switches, l.maxLag
	r.Dropped, r.Stray, r.FillIns = l.e.dropped.Load(), l.stray, l.fillIns
	l.sess = nil
	if l.encErr != nil {
		l.e.cfg.Logger.Warn("UDPTL encoding failed", "error", l.encErr)
	}
}

// tick feeds the session the time elapsed since its start.
func (l *loopState) tick(now time.Time) {
	if l.sess == nil {
		return
	}
	elapsed := now.Sub(l.start)
	switch l.p.Transport {
	case G711:
		due := int64(elapsed / tickEvery)
		l.trackLag(elapsed - time.Duration(l.done+1)*tickEvery)
		for n := 0; l.done < due; n++ {
			if n < maxCatchUp {
				l.audioFrame(now)
			} else {
				l.sess.RxFillin(frame) // too late to send: keep the T.30 clock right
			}
			l.done++
		}
	case T38:
		target := int64(elapsed) * 8000 / int64(time.Second)
		l.trackLag(time.Duration(target-l.fed)*time.Second/8000 - tickEvery)
		for l.fed < target {
			n := min(target-l.fed, frame)
			l.fed += n
			l.sess.Advance(int(n))
		}
	}
}

func (l *loopState) trackLag(d time.Duration) {
	if d > l.maxLag {
		l.maxLag = d
	}
}

// audioFrame sends one frame and plays one.
func (l *loopState) audioFrame(now time.Time) {
	n := l.sess.TxAudio(l.txPCM)
	clear(l.txPCM[max(n, 0):])
	l.encode(l.payload, l.txPCM)
	var err error
	if l.pkt, err = l.rtp.AppendPacket(l.pkt[:0], l.payload); err == nil {
		if to := l.rtp.Remote(); to.IsValid() && to.Port() != 0 && !to.Addr().IsUnspecified() {
			_, _ = l.e.cfg.Conn.WriteToUDPAddrPort(l.pkt, to)
		}
	}
	if f, ok := l.rtp.Pop(now); ok {
		l.decode(l.rxPCM, f)
		l.sess.RxAudio(l.rxPCM)
	} else {
		l.sess.RxFillin(frame)
	}
}

// transmit is the T.38 session's tx callback: one UDPTL sequence number,
// sent count times.
func (l *loopState) transmit(ifp []byte, count int) {
	var err error
	l.dg, err = l.enc.AppendEncode(l.dg[:0], ifp)
	if err != nil {
		if l.encErr == nil {
			l.encErr = err
		}
		return
	}
	if !l.remote.IsValid() || l.remote.Port() == 0 || l.remote.Addr().IsUnspecified() {
		return
	}
	for range max(count, 1) {
		_, _ = l.e.cfg.Conn.WriteToUDPAddrPort(l.dg, l.remote)
		l.udptlSent++
	}
}

// receive handles one datagram from the socket.
func (l *loopState) receive(d datagram) {
	if l.sess == nil {
		return
	}
	switch l.p.Transport {
	case G711:
		_ = l.rtp.Push(d.b, d.from, d.at) // drops are counted in its stats
	case T38:
		if d.at.Sub(l.switched) < strayWindow && looksLikeRTP(d.b, l.p.Audio.PayloadType) {
			l.stray++
			return
		}
		if l.learn && d.from.IsValid() {
			l.remote, l.learn = d.from, false
		}
		pkts, err := l.dec.Decode(d.b)
		if err != nil {
			return // counted as Malformed by the decoder
		}
		for _, p := range pkts {
			l.sess.RxIFP(p.IFP, p.Seq)
		}
	}
}

// looksLikeRTP spots the far end's G.711 packets still in flight after a
// switch: version 2, a G.711/CN/event payload type, a 20 ms-ish size.
// UDPTL sequence numbers start at 0, so a UDPTL datagram of the first
// seconds never has 0x80 in its first octet.
func looksLikeRTP(b []byte, pt uint8) bool {
	if len(b) < 12 || b[0]>>6 != 2 {
		return false
	}
	switch b[1] & 0x7f {
	case pt, rtp.PTPCMU, rtp.PTPCMA, rtp.PTComfortNoise, rtp.DefaultEventPT:
		return true
	}
	return false
}
