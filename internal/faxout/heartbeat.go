package faxout

import (
	"context"
	"sync"
	"time"
)

// beats renews the channel leases of every call this process runs, all at
// once every LeaseTTL/3 (one UPDATE per tick for the node, not one per
// call: with hundreds of calls the per-call writes queued behind each
// other for SQLite's single writer), and watches for cancel requests from
// any node in one read per tick. A call is hung up when its lease is lost:
// when a renewal finds it expired (recovery may then have closed the
// attempt and scheduled a retry elsewhere) or when renewals keep failing
// until it must have expired.
type beats struct {
	s       *Service
	mu      sync.Mutex
	calls   map[string]*beat // by lease id
	running bool             // the loop goroutine runs (it stops when no call is left)
}

// beat is one call's entry.
type beat struct {
	faxID  string // "" for a lease kept for another component (KeepLease)
	cancel context.CancelCauseFunc
	lastOK time.Time // last successful renewal (or the call's start)
}

func newBeats(s *Service) *beats { return &beats{s: s, calls: map[string]*beat{}} }

// add registers a call's lease until the returned function is called
// (before the call's end is recorded and its lease released).
func (b *beats) add(leaseID, faxID string, cancel context.CancelCauseFunc) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls[leaseID] = &beat{faxID: faxID, cancel: cancel, lastOK: time.Now()}
	if !b.running {
		b.running = true
		go b.loop()
	}
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.calls, leaseID)
	}
}

func (b *beats) loop() {
	every := b.s.cfg.LeaseTTL / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		b.mu.Lock()
		if len(b.calls) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		leases, faxes := make([]string, 0, len(b.calls)), make([]string, 0, len(b.calls))
		for id, c := range b.calls {
			leases = append(leases, id)
			if c.faxID != "" {
				faxes = append(faxes, c.faxID)
			}
		}
		b.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), every)
		b.renew(ctx, leases)
		b.cancelRequested(ctx, faxes)
		cancel()
	}
}

// renew extends the leases and hangs up the calls whose lease is lost.
func (b *beats) renew(ctx context.Context, leases []string) {
	s := b.s
	now := s.clock()
	renewed, err := s.st.RenewLeases(ctx, s.cfg.Node, leases, now, now.Add(s.cfg.LeaseTTL))
	if err != nil {
		s.logger.Warn("renewing channel leases failed", "calls", len(leases), "err", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range leases {
		c, ok := b.calls[id]
		switch {
		case !ok: // the call ended meanwhile
		case err == nil && renewed[id]:
			c.lastOK = time.Now()
		case err == nil || time.Since(c.lastOK) >= s.cfg.LeaseTTL*5/6:
			s.logger.Warn("channel lease lost; hanging up", "fax", c.faxID, "err", err)
			c.cancel(errLeaseLost)
			delete(b.calls, id)
		}
	}
}

// cancelRequested hangs up the calls of faxes someone asked to cancel
// (from any node).
func (b *beats) cancelRequested(ctx context.Context, faxes []string) {
	req, err := b.s.st.FaxesCancelRequested(ctx, faxes)
	if err != nil || len(req) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, c := range b.calls {
		if req[c.faxID] {
			c.cancel(ErrCanceledByUser)
			delete(b.calls, id)
		}
	}
}
