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
// never from the number of ticks, and catch up after a late tick. The ticks
// fall on a common 20 ms grid of the wall clock: many concurrent calls then
// wake together, once per grid point, instead of each on its own phase, which
// saves most of the scheduler's sleep/wake cost at a thousand calls.
type wallClock struct {
	start         time.Time
	t             *time.Timer
	cur, upcoming time.Time // when the step being processed, and the next one, are due
}

func newWallClock() *wallClock {
	now := time.Now()
	d := untilGridPoint(now)
	return &wallClock{start: now, t: time.NewTimer(d), cur: now, upcoming: now.Add(d)}
}

// untilGridPoint is the wait from now to the next multiple of 20 ms of wall
// time, within (0, 20 ms] even if the wall clock steps.
func untilGridPoint(now time.Time) time.Duration {
	d := now.Truncate(step).Add(step).Sub(now.Round(0))
	if d <= 0 || d > step {
		return step
	}
	return d
}

func (c *wallClock) next(ctx context.Context) (time.Duration, error) {
	select {
	case <-ctx.Done():
		return time.Since(c.start), ctx.Err()
	case <-c.t.C:
		now := time.Now()
		d := untilGridPoint(now)
		c.t.Reset(d)
		c.cur, c.upcoming = c.upcoming, now.Add(d)
		return now.Sub(c.start), nil
	}
}

func (c *wallClock) lag() time.Duration { return max(time.Since(c.cur), 0) }

func (c *wallClock) stop() { c.t.Stop() }
