package linesim

import (
	"fmt"
	"time"

	"faxgate/internal/telephony/g711"
	"faxgate/internal/telephony/t30"
)

// audioSide is one audio fax modem with its frame buffers.
type audioSide struct {
	s      *t30.Session
	tx, rx []int16
}

// audioLink joins two audio fax modems over a G.711 frame line.
type audioLink struct {
	line   frameLine
	sides  [2]*audioSide
	frame  int64 // next frame number to process
	encode func(dst []byte, src []int16)
	decode func(dst []int16, src []byte)
}

func newAudioLink(cfg Config, caller, answerer t30.Options) (*audioLink, error) {
	l := &audioLink{line: newFrameLine(cfg, samplesPerStep)}
	l.encode, l.decode = g711.EncodeULaw, g711.DecodeULaw
	if cfg.Law == PCMA {
		l.encode, l.decode = g711.EncodeALaw, g711.DecodeALaw
	}
	for i, opts := range []t30.Options{caller, answerer} {
		s, err := t30.NewAudio(opts)
		if err != nil {
			l.close()
			return nil, fmt.Errorf("linesim: %s session: %w", sideName(i), err)
		}
		l.sides[i] = &audioSide{s: s, tx: make([]int16, samplesPerStep), rx: make([]int16, samplesPerStep)}
	}
	return l, nil
}

// tick processes every 20 ms frame that has ended by now: one on the simulated
// clock, possibly several after a late real tick (RTP time is sample time).
func (l *audioLink) tick(now time.Duration) error {
	for due := int64(now / step); l.frame < due; l.frame++ {
		l.exchange(l.frame)
	}
	return nil
}

// exchange sends frame f from both sides, then plays the frame due at each
// side. A side that has finished neither sends nor listens (it hung up); every
// live side hears something each frame, a fill-in when nothing arrived, because
// the audio T.30 timers only advance on received samples.
func (l *audioLink) exchange(f int64) {
	for i, side := range l.sides {
		if side.s.Done() {
			continue
		}
		n := side.s.TxAudio(side.tx)
		clear(side.tx[max(n, 0):]) // idle modem: silence
		l.line.put(1-i, f, samplesPerStep, func(dst []byte) { l.encode(dst, side.tx) })
	}
	for i, side := range l.sides {
		if side.s.Done() {
			continue
		}
		if p := l.line.take(i, f); p != nil {
			l.decode(side.rx, p)
			side.s.RxAudio(side.rx)
		} else {
			side.s.RxFillin(samplesPerStep)
		}
	}
}

func (l *audioLink) done() (bool, bool) { return l.sides[0].s.Done(), l.sides[1].s.Done() }

func (l *audioLink) outcome() Outcome {
	return Outcome{
		Caller:   l.sides[0].s.Result(),
		Answerer: l.sides[1].s.Result(),
		Packets:  l.line.packets,
		Lost:     l.line.lost,
		Late:     l.line.late,
		Bytes:    l.line.bytes,
	}
}

func (l *audioLink) hangup() {
	for _, side := range l.sides {
		if !side.s.Done() {
			side.s.Hangup()
		}
	}
}

func (l *audioLink) close() {
	for _, side := range l.sides {
		if side != nil {
			side.s.Close()
		}
	}
}
