package faxout

import (
	"context"
	"fmt"
	"sync"
	"time"

	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
)

// progressWriter records a call's progress in the database from its own
// goroutine: the line reports from the call's goroutine (the fax engine's,
// for pages), which must never wait for I/O.
type progressWriter struct {
	s   *Service
	fax model.Fax
	att model.Attempt // the attempt as last written

	mu       sync.Mutex
	queue    []line.Progress
	answered time.Time
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
}

func newProgressWriter(s *Service, a model.Attempt, f model.Fax) *progressWriter {
	w := &progressWriter{s: s, fax: f, att: a, wake: make(chan struct{}, 1), stop: make(chan struct{}),
		done: make(chan struct{})}
	go w.run()
	return w
}

// report queues one progress report; it never blocks.
func (w *progressWriter) report(p line.Progress) {
	w.mu.Lock()
	w.queue = append(w.queue, p)
	if p.Stage == line.StageConnected && w.answered.IsZero() {
		w.answered = p.At.UTC()
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// answeredAt is when the call was answered (zero if it was not).
func (w *progressWriter) answeredAt() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.answered
}

// close writes what is still queued and stops the goroutine.
func (w *progressWriter) close() {
	close(w.stop)
	<-w.done
}

func (w *progressWriter) run() {
	defer close(w.done)
	for {
		select {
		case <-w.wake:
			w.flush()
		case <-w.stop:
			w.flush()
			return
		}
	}
}

func (w *progressWriter) flush() {
	w.mu.Lock()
	batch := w.queue
	w.queue = nil
	w.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), finishTimeout)
	defer cancel()
	for _, p := range batch {
		w.apply(p)
	}
	if _, err := w.s.st.UpdateAttemptProgress(ctx, &w.att); err != nil {
		w.s.logger.Warn("recording call progress failed", "fax", w.fax.ID, "err", err)
	}
	for _, p := range batch {
		kind, detail := progressEvent(p, w.fax.Pages)
		if kind == "" {
			continue
		}
		e := model.FaxEvent{FaxID: w.fax.ID, TenantID: w.fax.TenantID, At: p.At, Kind: kind, Try: w.att.Try,
			Detail: detail}
		if err := w.s.st.InsertFaxEventTx(ctx, nil, &e); err != nil {
			w.s.logger.Warn("recording a timeline event failed", "fax", w.fax.ID, "err", err)
		}
	}
}

// apply folds a report into the attempt row.
func (w *progressWriter) apply(p line.Progress) {
	a := &w.att
	switch p.Stage {
	case line.StageRinging:
		a.Status = model.AttemptRinging
	case line.StageConnected:
		a.Status, a.AnsweredAt = model.AttemptConnected, p.At.UTC()
	case line.StagePage:
		a.Status, a.Pages = model.AttemptConnected, max(a.Pages, p.Page)
	}
	if p.Transport != "" {
		a.Transport = p.Transport
	}
	if p.BitRate > 0 {
		a.BitRate, a.ECMUsed = p.BitRate, p.ECM
	}
	if p.RemoteStationID != "" {
		a.RemoteStationID = p.RemoteStationID
	}
}

// progressEvent is the timeline event of a report ("" for none).
func progressEvent(p line.Progress, pages int) (model.FaxEventKind, string) {
	switch p.Stage {
	case line.StageRinging:
		return model.EventRinging, ""
	case line.StageConnected:
		return model.EventConnected, "answered; " + string(p.Transport)
	case line.StagePage:
		d := fmt.Sprintf("page %d of %d confirmed", p.Page, pages)
		if p.BitRate > 0 {
			d += fmt.Sprintf(" (%d bit/s, ECM %v)", p.BitRate, p.ECM)
		}
		return model.EventPageSent, d
	}
	return "", ""
}
