package outbound

import (
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// DefaultBackoff returns the default waits after failed tries 1, 2, ...:
// 30 s, 1, 2, 5, 10, 30 min, 1, 2, 4, 8, 8 h — about a day in all, so a
// relay that is down for hours loses nothing.
func DefaultBackoff() []time.Duration {
	return []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
		30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 8 * time.Hour}
}

// Config tunes outgoing email; zero fields take the defaults. The Mailer
// and the worker must get the same Config.
type Config struct {
	RelayOptions
	// Queue is the River queue of email_send jobs (default river.QueueDefault).
	Queue string
	// Backoff is the wait after failed try n (its last entry repeats);
	// MaxAttempts the number of tries before an email is marked failed
	// (default len(Backoff)+1).
	Backoff     []time.Duration
	MaxAttempts int
	// MessageIDDomain is the right-hand side of Message-IDs; "" = the
	// domain of the relay's From address.
	MessageIDDomain string
	Logger          *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Queue == "" {
		c.Queue = river.QueueDefault
	}
	if len(c.Backoff) == 0 {
		c.Backoff = DefaultBackoff()
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = len(c.Backoff) + 1
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// backoff is the wait after failed try n (1-based).
func (c Config) backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	return c.Backoff[min(n, len(c.Backoff))-1]
}
