package rtp

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"
)

// Payload types a fax stream meets.
const (
	PTPCMU         = 0
	PTPCMA         = 8
	PTComfortNoise = 13
	// DefaultEventPT is the usual dynamic payload type of telephone-event.
	DefaultEventPT = 101
	// FrameSamples is one 20 ms G.711 frame at 8 kHz.
	FrameSamples = 160
	// DefaultDelay is the fixed playout delay.
	DefaultDelay = 60 * time.Millisecond
	// MaxDelay bounds Config.Delay (the buffer holds 1 s).
	MaxDelay = 400 * time.Millisecond
	// relatchAfter consecutive packets from a new SSRC replace the latched one.
	relatchAfter = 3
)

// ComediaMode says whether the far address is learned from incoming
// packets (symmetric RTP, "comedia").
type ComediaMode int

const (
	// ComediaAuto learns when the SDP address cannot be right: private
	// (RFC 1918, RFC 6598 shared, ULA), link-local, unspecified or unknown.
	ComediaAuto ComediaMode = iota
	ComediaOn               // always learn from the first valid packet
	ComediaOff              // always send to the SDP address
)

// Config configures a Session. Zero values select the defaults.
type Config struct {
	PayloadType uint8          // PTPCMU or PTPCMA: what we send and play
	EventPT     uint8          // telephone-event payload type to discard; 0 = DefaultEventPT
	Delay       time.Duration  // fixed playout delay; 0 = DefaultDelay, at most MaxDelay
	Remote      netip.AddrPort // the far address from SDP; may be unknown (zero)
	Comedia     ComediaMode
}

// Stats are a Session's counters. Received counts the packets of the
// latched stream (audio, comfort noise and events); the others say why
// packets were dropped or frames missing.
type Stats struct {
	Sent, SentOctets         uint64 // packets and payload octets sent
	Received, ReceivedOctets uint64
	// Lost is RFC 3550 A.3's cumulative number of packets lost: expected
	// (from the sequence numbers) minus received, never negative.
	Lost        uint64
	Duplicates  uint64
	Reordered   uint64 // arrived after a later packet (still played if in time)
	Late        uint64 // arrived after their playout time, or too far behind to place
	FillIns     uint64 // Pop calls while playing that had no complete frame
	Overruns    uint64 // frames dropped because the far clock ran ahead
	Resyncs     uint64 // sequence or timestamp restarts
	CN, Events  uint64 // comfort noise and telephone-event packets (ignored)
	OtherPT     uint64 // packets of a payload type we did not agree on
	ForeignSSRC uint64 // packets of another SSRC than the latched one
	SSRCChanges uint64 // relatches to a new SSRC
	Stray       uint64 // packets from another address than the learned one
	Malformed   uint64
	// Jitter is RFC 3550 A.8's interarrival jitter; JitterUnits the same in
	// timestamp units (1/8000 s).
	Jitter      time.Duration
	JitterUnits uint32
}

// Session is one G.711 RTP stream of a call, both directions. See the
// package documentation.
type Session struct {
	cfg Config

	// outgoing
	ssrc      uint32
	seq       uint16
	ts        uint32
	mark      bool
	initSeq   uint16
	initTS    uint32
	outPacket Packet

	// incoming
	remote  netip.AddrPort
	learn   bool // comedia applies and nothing learned yet
	learned bool
	latched bool
	rxSSRC  uint32
	cand    struct {
		ssrc uint32
		next uint16
		n    int
	}
	epoch time.Time // arrival time of the first packet, for jitter
	seqs  seqTracker
	jit   jitter
	play  *playout
	pkt   Packet
	stats Stats
}

// NewSession returns a session with a random SSRC, sequence number and
// timestamp.
func NewSession(cfg Config) (*Session, error) {
	if cfg.PayloadType != PTPCMU && cfg.PayloadType != PTPCMA {
		return nil, fmt.Errorf("rtp: payload type %d is not G.711 (0 or 8)", cfg.PayloadType)
	}
	if cfg.EventPT == 0 {
		cfg.EventPT = DefaultEventPT
	}
	if cfg.Delay == 0 {
		cfg.Delay = DefaultDelay
	}
	if cfg.Delay < 0 || cfg.Delay > MaxDelay {
		return nil, fmt.Errorf("rtp: playout delay %v is not in (0, %v]", cfg.Delay, MaxDelay)
	}
	s := &Session{
		cfg:  cfg,
		ssrc: rand.Uint32(),
		seq:  uint16(rand.Uint32()),
		ts:   rand.Uint32(),
		mark: true,
		play: newPlayout(FrameSamples, cfg.Delay),
	}
	s.initSeq, s.initTS = s.seq, s.ts
	s.SetRemote(cfg.Remote)
	return s, nil
}

// SSRC returns our SSRC.
func (s *Session) SSRC() uint32 { return s.ssrc }

// Remote returns where to send: the learned address, else the SDP one.
func (s *Session) Remote() netip.AddrPort { return s.remote }

// SetRemote sets the far address from a new SDP (re-INVITE) and, if
// comedia applies to it, learns again from the next valid packet.
func (s *Session) SetRemote(ap netip.AddrPort) {
	s.remote, s.learned = ap, false
	switch s.cfg.Comedia {
	case ComediaOn:
		s.learn = true
	case ComediaOff:
		s.learn = false
	default:
		s.learn = NeedsComedia(ap)
	}
}

// NeedsComedia reports whether an SDP address is useless as a destination
// from the public side: unknown, unspecified, private, shared (CGNAT) or
// link-local. Loopback counts as reachable (tests, same-host peers).
func NeedsComedia(ap netip.AddrPort) bool {
	a := ap.Addr().Unmap()
	return !ap.IsValid() || ap.Port() == 0 || a.IsUnspecified() || a.IsPrivate() ||
		a.IsLinkLocalUnicast() || sharedAddrSpace.Contains(a)
}

var sharedAddrSpace = netip.MustParsePrefix("100.64.0.0/10") // RFC 6598

// MarkNext sets the marker bit on the next packet (a new talkspurt, e.g.
// after switching back from T.38).
func (s *Session) MarkNext() { s.mark = true }

// AppendPacket appends the next outgoing packet carrying payload (G.711
// octets, one per sample) to dst and advances the sequence number and the
// timestamp by the number of samples.
func (s *Session) AppendPacket(dst, payload []byte) ([]byte, error) {
	if len(payload) == 0 || len(payload) > maxPayload {
		return dst, fmt.Errorf("rtp: payload of %d octets is not 1..%d", len(payload), maxPayload)
	}
	p := &s.outPacket
	p.Marker, p.PayloadType, p.Seq, p.Timestamp, p.SSRC = s.mark, s.cfg.PayloadType, s.seq, s.ts, s.ssrc
	p.Payload = payload
	out, err := p.Append(dst)
	p.Payload = nil
	if err != nil {
		return dst, err
	}
	s.mark = false
	s.seq++
	s.ts += uint32(len(payload))
	s.stats.Sent++
	s.stats.SentOctets += uint64(len(payload))
	return out, nil
}

// ErrStray and ErrForeignSSRC tell why Push dropped a well-formed packet;
// they are counted in Stats and need no action.
var (
	ErrStray       = errors.New("rtp: packet from an unexpected address")
	ErrForeignSSRC = errors.New("rtp: packet of another SSRC")
)

// Push takes one received datagram, its source and its arrival time. It
// returns an error for packets it drops as malformed, stray or foreign;
// duplicates, late packets and ignored payload types are only counted.
func (s *Session) Push(datagram []byte, from netip.AddrPort, at time.Time) error {
	p := &s.pkt
	if err := p.Unmarshal(datagram); err != nil {
		s.stats.Malformed++
		return err
	}
	if s.learned && from != s.remote {
		s.stats.Stray++
		return ErrStray
	}
	if p.SSRC == s.ssrc {
		s.stats.ForeignSSRC++ // our own packets, looped back
		return ErrForeignSSRC
	}
	if !s.acceptSSRC(p.SSRC, p.Seq) {
		return ErrForeignSSRC
	}
	if p.PayloadType == s.cfg.PayloadType && len(p.Payload) > maxPayload {
		s.stats.Malformed++
		return fmt.Errorf("rtp: G.711 payload of %d octets, more than %d", len(p.Payload), maxPayload)
	}
	if s.learn && !s.learned {
		s.remote, s.learned = from, true
	}
	switch s.seqs.update(p.Seq) {
	case seqDuplicate:
		s.stats.Duplicates++
		return nil
	case seqTooOld:
		s.stats.Late++
		return nil
	case seqProbation:
		return nil
	case seqRestart:
		s.stats.Resyncs++
	case seqReordered:
		s.stats.Reordered++
	}
	s.stats.Received++
	s.stats.ReceivedOctets += uint64(len(p.Payload))
	s.dispatch(p, at)
	return nil
}

// dispatch sends an accepted packet to the playout buffer by payload type.
func (s *Session) dispatch(p *Packet, at time.Time) {
	switch p.PayloadType {
	case s.cfg.PayloadType:
	case PTComfortNoise:
		s.stats.CN++
		return
	case s.cfg.EventPT:
		s.stats.Events++
		return
	default:
		s.stats.OtherPT++
		return
	}
	if len(p.Payload) == 0 {
		return // a keepalive: part of the sequence, nothing to play
	}
	if s.epoch.IsZero() {
		s.epoch = at
	}
	s.jit.update(uint32(at.Sub(s.epoch)*8000/time.Second), p.Timestamp)
	r := s.play.push(p.Timestamp, p.Payload, at)
	if r.late {
		s.stats.Late++
	}
	if r.resync {
		s.stats.Resyncs++
	}
	s.stats.Overruns += r.overruns
}

// acceptSSRC latches the first SSRC and moves to a new one after
// relatchAfter consecutive packets of it.
func (s *Session) acceptSSRC(ssrc uint32, seq uint16) bool {
	switch {
	case !s.latched:
		s.latched, s.rxSSRC = true, ssrc
		return true
	case ssrc == s.rxSSRC:
		s.cand.n = 0
		return true
	}
	s.stats.ForeignSSRC++
	if s.cand.n > 0 && s.cand.ssrc == ssrc && s.cand.next == seq {
		s.cand.n++
	} else {
		s.cand.ssrc, s.cand.n = ssrc, 1
	}
	s.cand.next = seq + 1
	if s.cand.n < relatchAfter {
		return false
	}
	// The far end restarted its stream: follow it from this packet.
	s.rxSSRC, s.cand.n = ssrc, 0
	s.stats.SSRCChanges++
	s.seqs.lostBefore = s.seqs.lost() // keep the old stream's loss
	s.seqs.started = false
	s.jit.started = false
	s.play.started = false
	return true
}

// Pop returns the next 20 ms frame to play, once per tick. ok is false
// when the frame did not arrive in time (or nothing plays yet): run the
// fill-in. now only gates the start of playout, Config.Delay after the
// first packet; afterwards every call advances one frame. The frame is
// valid until the next call.
func (s *Session) Pop(now time.Time) (frame []byte, ok bool) {
	frame, ok, counted := s.play.pop(now)
	if counted && !ok {
		s.stats.FillIns++
	}
	return frame, ok
}

// Stats returns the counters.
func (s *Session) Stats() Stats {
	st := s.stats
	st.Lost = uint64(max(s.seqs.lost(), 0))
	st.JitterUnits = s.jit.units()
	st.Jitter = time.Duration(st.JitterUnits) * time.Second / 8000
	return st
}
