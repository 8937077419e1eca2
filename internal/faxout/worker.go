package faxout

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// finishTimeout bounds recording a call's end, which runs even when the
// job's context has ended (shutdown): the outcome must not be lost.
const finishTimeout = 30 * time.Second

// plan is a claimed call: the fax (as locked when claimed), its tenant and
// settings, the trunk and lease it got and the attempt row created for it.
type plan struct {
	fax      model.Fax
	tenant   model.Tenant
	settings tenantSettings
	trunk    model.Trunk
	lease    store.Lease
	attempt  model.Attempt
}

// route is a trunk the fax may use and what it dials there.
type route struct {
	trunk model.Trunk
	dial  string
}

// work runs one fax_send job: claim the step, make the call, record it.
func (s *Service) work(ctx context.Context, args SendArgs) error {
	p, snooze, err := s.claim(ctx, args)
	switch {
	case err != nil:
		return err
	case snooze > 0:
		return river.JobSnooze(snooze)
	case p == nil:
		return nil
	}
	return s.call(ctx, p)
}

// claim takes the job's step, waiting up to CapacityWait in-process for a
// channel; it returns a snooze delay when every channel stays busy, and a
// nil plan when there is nothing to do.
func (s *Service) claim(ctx context.Context, args SendArgs) (*plan, time.Duration, error) {
	deadline := time.Now().Add(s.cfg.CapacityWait)
	for {
		p, wait, busy, err := s.tryClaim(ctx, args)
		switch {
		case err != nil || p != nil:
			return p, 0, err
		case wait > 0:
			return nil, wait, nil
		case !busy:
			return nil, 0, nil
		case time.Now().After(deadline):
			return nil, jitter(busySnooze), nil
		}
		t := time.NewTimer(250 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, 0, ctx.Err()
		case <-s.capacity.wait():
		case <-t.C:
		}
		t.Stop()
	}
}

// busySnooze is how long a job whose channels stay busy sleeps (jittered).
const busySnooze = time.Second

// jitter spreads snoozes of many jobs over [d, 2d).
func jitter(d time.Duration) time.Duration {
	return d + rand.N(d)
}

// claimInput is what a claim reads before its transaction (plain reads,
// checked again under the fax's lock where it matters).
type claimInput struct {
	tenant   model.Tenant
	settings tenantSettings
	routes   []route
}

// tryClaim makes one attempt to take the step: a plan, or wait > 0 when
// the step is not due yet, or busy when every channel it may use is taken,
// or none of these when there is nothing to do.
func (s *Service) tryClaim(ctx context.Context, args SendArgs) (p *plan, wait time.Duration, busy bool, err error) {
	pre, err := s.st.GetFax(ctx, model.PlatformScope(), args.FaxID)
	if errors.Is(err, model.ErrNotFound) || err == nil && pre.Status.Final() {
		return nil, 0, false, nil // deleted, or done: nothing to do
	}
	if err != nil {
		return nil, 0, false, err
	}
	in, err := s.claimInput(ctx, pre)
	if err != nil {
		return nil, 0, false, err
	}
	if args.Try == pre.NextTry && args.Leg == pre.NextLeg {
		if due := pre.NextAttemptAt.Sub(s.clock()); due > 20*time.Millisecond {
			return nil, due, false, nil
		}
		if full, err := s.allFull(ctx, pre, in.routes, in.settings); err != nil || full {
			return nil, 0, full, err
		}
	}
	err = s.st.RunTx(ctx, func(tx *sql.Tx) error {
		p, wait, busy, err = s.claimTx(ctx, tx, args, in)
		return err
	})
	if err != nil {
		return nil, 0, false, err
	}
	return p, wait, busy, nil
}

func (s *Service) claimInput(ctx context.Context, f model.Fax) (claimInput, error) {
	var in claimInput
	var err error
	if in.tenant, err = s.st.GetTenant(ctx, model.PlatformScope(), f.TenantID); err != nil {
		return in, err
	}
	if in.settings, err = s.loadSettings(ctx, f.TenantID); err != nil {
		return in, err
	}
	in.routes, err = s.routes(ctx, f)
	return in, err
}

// claimTx takes the step under the fax's row lock: it deals with an open
// attempt, a stale job, a cancel request and a step not due yet first.
func (s *Service) claimTx(ctx context.Context, tx *sql.Tx, args SendArgs, in claimInput) (*plan, time.Duration, bool, error) {
	f, err := s.st.GetFaxTx(ctx, tx, args.FaxID)
	if err != nil || f.Status.Final() {
		return nil, 0, false, err
	}
	if handled, err := s.openAttemptTx(ctx, tx, f); handled || err != nil {
		return nil, 0, false, err
	}
	if args.Try != f.NextTry || args.Leg != f.NextLeg {
		return nil, 0, false, nil // a stale or duplicate job: the fax has moved on
	}
	if f.CancelRequested {
		return nil, 0, false, s.decideTx(ctx, tx, f, nil, outcome{cause: model.CauseCanceled, canceledBy: true,
			final: true, text: "canceled by the user"}, nil)
	}
	if due := f.NextAttemptAt.Sub(s.clock()); due > 20*time.Millisecond {
		return nil, due, false, nil
	}
	p, busy, err := s.takeChannelTx(ctx, tx, f, args, in.routes, in.settings)
	if p != nil {
		p.tenant, p.settings = in.tenant, in.settings
	}
	return p, 0, busy, err
}

// allFull reports, from a plain read, that the fax's tenant or every route
// it may use has no channel free, so that jobs waiting for a channel do not
// queue for the database's write lock (which the calls' heartbeats need).
// The transaction that takes a channel checks again.
func (s *Service) allFull(ctx context.Context, f model.Fax, routes []route, ts tenantSettings) (bool, error) {
	if len(routes) == 0 || f.Status != model.FaxQueued && f.Status != model.FaxRetrying {
		return false, nil
	}
	now := s.clock()
	if ts.maxChannels > 0 {
		n, err := s.st.CountLeases(ctx, "", f.TenantID, now)
		if err != nil || n >= ts.maxChannels {
			return err == nil, err
		}
	}
	for _, r := range routes {
		n, err := s.st.CountLeases(ctx, r.trunk.ID, "", now)
		if err != nil {
			return false, err
		}
		if n < r.trunk.MaxChannels {
			return false, nil
		}
	}
	return true, nil
}

// openAttemptTx deals with an attempt of the fax that has not ended: if a
// live lease shows some node still runs it, the job has nothing to do; if
// not, the node died and the attempt is closed as interrupted.
func (s *Service) openAttemptTx(ctx context.Context, tx *sql.Tx, f model.Fax) (bool, error) {
	open, err := s.st.OpenAttemptTx(ctx, tx, f.ID)
	if errors.Is(err, model.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	live, err := s.st.LiveLeaseForFaxTx(ctx, tx, f.ID, s.clock())
	if err != nil || live {
		return true, err
	}
	return true, s.interruptedTx(ctx, tx, f, open)
}

// takeChannelTx leases a channel on the first route (by priority) that has
// one, among the routes this try has not used yet, and creates the
// attempt; busy when they are all full (or the tenant's cap is reached).
func (s *Service) takeChannelTx(ctx context.Context, tx *sql.Tx, f model.Fax, args SendArgs, routes []route,
	ts tenantSettings) (*plan, bool, error) {
	left, err := s.untriedTx(ctx, tx, f, args.Try, routes)
	if err != nil {
		return nil, false, err
	}
	if len(left) == 0 {
		f.Tries = max(f.Tries, args.Try)
		return nil, false, s.decideTx(ctx, tx, f, nil, outcome{cause: model.CauseNetwork,
			text: "no fax line is available for this number"}, nil)
	}
	for _, r := range left {
		lease, err := s.st.AcquireLeaseTx(ctx, tx, store.LeaseRequest{TrunkID: r.trunk.ID, TrunkMax: r.trunk.MaxChannels,
			TenantID: f.TenantID, TenantMax: ts.maxChannels, FaxID: f.ID, Holder: s.cfg.Node, TTL: s.cfg.LeaseTTL,
			Now: s.clock()})
		switch {
		case errors.Is(err, store.ErrTrunkFull):
			continue
		case errors.Is(err, store.ErrTenantFull):
			return nil, true, nil
		case err != nil:
			return nil, false, err
		}
		p := &plan{trunk: r.trunk, lease: lease}
		return p, false, s.startAttemptTx(ctx, tx, p, f, args, r.dial)
	}
	return nil, true, nil
}

// untriedTx returns the routes the fax's try has not used yet.
func (s *Service) untriedTx(ctx context.Context, tx *sql.Tx, f model.Fax, try int, routes []route) ([]route, error) {
	done, err := s.st.AttemptsOfTryTx(ctx, tx, f.ID, try)
	if err != nil {
		return nil, err
	}
	var left []route
	for _, r := range routes {
		if !slices.ContainsFunc(done, func(a model.Attempt) bool { return a.TrunkID == r.trunk.ID }) {
			left = append(left, r)
		}
	}
	return left, nil
}

// startAttemptTx inserts the attempt and marks the fax sending.
func (s *Service) startAttemptTx(ctx context.Context, tx *sql.Tx, p *plan, f model.Fax, args SendArgs, dial string) error {
	ecm, rate := callParams(f.Fallback, p.trunk)
	p.attempt = model.Attempt{FaxID: f.ID, TenantID: f.TenantID, Try: args.Try, Leg: args.Leg, TrunkID: p.trunk.ID,
		TrunkName: p.trunk.Name, Node: s.cfg.Node, Status: model.AttemptDialing, DialedNumber: dial,
		CallerID: f.CallerID, ECM: ecm, MaxBitRate: rate, StartedAt: s.clock(), T30Code: -1}
	if err := s.st.InsertAttemptTx(ctx, tx, &p.attempt); err != nil {
		return err
	}
	f.Status, f.Tries = model.FaxSending, max(f.Tries, args.Try)
	if err := s.st.UpdateFaxTx(ctx, tx, &f); err != nil {
		return err
	}
	p.fax = f
	detail := fmt.Sprintf("try %d of %d on %s, dialling %s", args.Try, f.Retries+1, p.trunk.Name, dial)
	if !ecm || rate > 0 {
		detail += fmt.Sprintf(" (ECM %v, max %s)", ecm, rateText(rate))
	}
	return s.eventTx(ctx, tx, f, model.EventDialing, args.Try, detail)
}

func rateText(rate int) string {
	if rate == 0 {
		return "14400 bit/s"
	}
	return fmt.Sprintf("%d bit/s", rate)
}

// routes lists the trunks the fax may use, in dialling order, with what
// each dials.
func (s *Service) routes(ctx context.Context, f model.Fax) ([]route, error) {
	trunks, err := s.usableTrunks(ctx, f.TenantID, f.Source)
	if err != nil {
		return nil, err
	}
	var out []route
	for _, t := range trunks {
		rules, err := s.rules.get(t)
		if err != nil {
			s.logger.Warn("trunk dial rules do not compile; trunk skipped", "trunk", t.Name, "err", err)
			continue
		}
		if dial, err := rules.Dial(f.To); err == nil {
			out = append(out, route{trunk: t, dial: dial})
		}
	}
	return out, nil
}

// usableTrunks lists the enabled trunks the tenant may use for faxes from
// src, in dialling order.
func (s *Service) usableTrunks(ctx context.Context, tenantID string, src model.FaxSource) ([]model.Trunk, error) {
	all, err := s.st.ListTrunks(ctx)
	if err != nil {
		return nil, err
	}
	var out []model.Trunk
	for _, t := range all {
		if t.Enabled && t.AllowsTenant(tenantID) && t.AllowsSource(src) {
			out = append(out, t)
		}
	}
	return out, nil
}

// call makes the claimed call and records its outcome.
func (s *Service) call(ctx context.Context, p *plan) error {
	callCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.calls.add(p.fax.ID, cancel)
	defer s.calls.remove(p.fax.ID)
	// A cancel that came between the claim and the registration above
	// found no call to hang up: look once.
	if req, err := s.st.FaxCancelRequested(ctx, p.fax.ID); err == nil && req {
		cancel(ErrCanceledByUser)
	}
	prog := newProgressWriter(s, p.attempt, p.fax)
	stopBeat := s.beats.add(p.lease.ID, p.fax.ID, cancel)
	res, err := s.dial(callCtx, p, prog)
	stopBeat()
	prog.close()
	if res.AnsweredAt.IsZero() {
		res.AnsweredAt = prog.answeredAt()
	}
	o := classify(res, err, context.Cause(callCtx))
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer fcancel()
	err = s.finish(fctx, p, o)
	s.capacity.broadcast()
	if err != nil {
		s.logger.Error("recording a call's end failed; recovery will close it", "fax", p.fax.ID, "err", err)
	}
	return err
}

// dial prepares the pages, builds the trunk's line and places the call.
func (s *Service) dial(ctx context.Context, p *plan, prog *progressWriter) (line.Result, error) {
	none := line.Result{T30Code: -1}
	doc, err := s.prepare(ctx, p.fax, p.tenant, p.settings)
	if err != nil {
		return none, err
	}
	defer doc.release()
	ln, err := s.lines(p.trunk)
	if err != nil {
		return none, err
	}
	return ln.Dial(ctx, line.Call{
		FaxID: p.fax.ID, AttemptID: p.attempt.ID, To: p.attempt.DialedNumber, E164: p.fax.To, CallerID: p.fax.CallerID,
		StationID: doc.stationID, HeaderInfo: doc.headerInfo, TIFFPath: doc.path, Pages: doc.pages,
		ECM: p.attempt.ECM, MaxBitRate: p.attempt.MaxBitRate, RingTimeout: p.trunk.RingTimeoutOrDefault(),
		Progress: prog.report,
	})
}

// finish records the call's end: attempt, lease, fax, usage, next job.
func (s *Service) finish(ctx context.Context, p *plan, o outcome) error {
	routes, err := s.routes(ctx, p.fax)
	if err != nil {
		return err
	}
	return s.st.RunTx(ctx, func(tx *sql.Tx) error {
		f, err := s.st.GetFaxTx(ctx, tx, p.fax.ID)
		if err != nil {
			return err
		}
		a := p.attempt
		err = s.decideTx(ctx, tx, f, &a, o, routes)
		if errors.Is(err, errAttemptClosed) {
			s.logger.Warn("call ended after recovery had closed its attempt", "fax", f.ID, "attempt", a.ID)
			err = nil
		}
		if err != nil {
			return err
		}
		return s.st.ReleaseLeaseTx(ctx, tx, p.lease.ID)
	})
}
