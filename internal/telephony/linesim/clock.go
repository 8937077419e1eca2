package linesim

import (
	"context"
	"time"
)

// clock yields the call time of each 20 ms step.
type clock interface {
	// next waits for (or simulates) the next step and returns the call time.
	next(ctx context.Context) (time.Duration, error)
	// lag is how late the current step is being finished: the time since it
	// was due (always 0 on the simulated clock).
	lag() time.Duration
	stop()
}

func newClock(realtime bool) clock {
	if realtime {
		return newWallClock()
	}
	return &simClock{}
}

// simClock advances 20 ms per call without sleeping.
type simClock struct {
	now   time.Duration
	steps int
}

// ctxCheckEvery keeps the per-step cost of the simulated clock at a counter
// increment: ctx is polled once per simulated 1.28 s.
const ctxCheckEvery = 64

func (c *simClock) next(ctx context.Context) (time.Duration, error) {
	c.steps++
	if c.steps%ctxCheckEvery == 0 {
		if err := ctx.Err(); err != nil {
			return c.now, err
		}
	}
	c.now += step
	return c.now, nil
}

func (c *simClock) lag() time.Duration { return 0 }

func (c *simClock) stop() {}

// wallClock ticks every 20 ms of real time and reports the monotonic time
// elapsed since the start, so the links compute samples from elapsed time,
// never from the number of ticks, and catch up after a late tick (a ticker
// drops ticks its reader is too slow for).
//
// Aligning the ticks of all calls on a common 20 ms grid was tried, so that
// concurrent calls wake together: with 500 real-time calls it changed neither
// CPU nor lag measurably, so each call keeps its own phase.
type wallClock struct {
	start time.Time
	t     *time.Ticker
	due   time.Time // when the step being processed was due
}

func newWallClock() *wallClock {
	now := time.Now()
	return &wallClock{start: now, t: time.NewTicker(step), due: now}
}

func (c *wallClock) next(ctx context.Context) (time.Duration, error) {
	select {
	case <-ctx.Done():
		return time.Since(c.start), ctx.Err()
	case due := <-c.t.C: // the time the tick was due, with its monotonic reading
		c.due = due
		return time.Since(c.start), nil
	}
}

func (c *wallClock) lag() time.Duration { return max(time.Since(c.due), 0) }

func (c *wallClock) stop() { c.t.Stop() }
