package line

import (
	"context"
	"fmt"
	"math"
	"time"

	"faxgate/internal/telephony/t30"
)

// voiceLimit ends a voice call the engine did not give up on by itself (T.30
// T0 is 60 s, so it never should).
const voiceLimit = 90 * time.Second

// voice runs our fax engine (audio) against a person who answered: the far
// end sends speech-like audio and never a fax tone or V.21 frame, so the
// engine's own timers decide that negotiation failed.
func (l *TestLine) voice(ctx context.Context, c Call, res *Result) error {
	opts := senderOptions(c)
	opts.Role = t30.Caller
	opts.OnEvent = func(e t30.Event) { progressFromEvent(c, res, e) }
	s, err := t30.NewAudio(opts)
	if err != nil {
		return fmt.Errorf("test line: %w", err)
	}
	defer s.Close()
	var tick *time.Ticker
	if l.cfg.Realtime {
		tick = time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
	}
	tx, rx := make([]int16, 160), make([]int16, 160)
	for frame := 0; !s.Done(); frame++ {
		if time.Duration(frame)*20*time.Millisecond >= voiceLimit {
			s.Hangup()
			break
		}
		if tick != nil {
			select {
			case <-ctx.Done():
				s.Hangup()
				fillResult(res, s.Result())
				return ctx.Err()
			case <-tick.C:
			}
		} else if frame%64 == 0 && ctx.Err() != nil {
			s.Hangup()
			fillResult(res, s.Result())
			return ctx.Err()
		}
		s.TxAudio(tx) // the person hears the calling tone and ignores it
		speech(rx, frame)
		s.RxAudio(rx)
	}
	fillResult(res, s.Result())
	return nil
}

// speech fills one 20 ms frame of a voice saying "hello?" over and over:
// a 120-200 Hz voiced sound with three harmonics, shaped into four
// syllables per second, with a pause every two seconds. Nothing in it is a
// fax tone (1100 Hz CNG, 2100 Hz CED) or a V.21 carrier (1650/1850 Hz).
func speech(dst []int16, frame int) {
	for i := range dst {
		t := float64(frame*len(dst)+i) / 8000
		if math.Mod(t, 2) > 1.5 {
			dst[i] = 0
			continue
		}
		pitch := 120 + 80*math.Abs(math.Sin(math.Pi*0.7*t))
		env := math.Max(0, math.Sin(2*math.Pi*4*t))
		v := math.Sin(2*math.Pi*pitch*t) + 0.5*math.Sin(4*math.Pi*pitch*t) + 0.25*math.Sin(6*math.Pi*pitch*t)
		dst[i] = int16(4000 * env * v)
	}
}
