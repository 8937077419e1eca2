package faxout

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"faxgate/internal/model"
)

// Cancel cancels a fax the actor may see. A fax waiting for its first try
// or a retry is canceled at once. A fax whose call is in progress is hung
// up: at once when the call runs in this process, within a heartbeat
// (LeaseTTL/3) when it runs on another node; Cancel waits up to CancelWait
// for that and returns the fax as it is then (status canceled, or still
// sending with CancelRequested set if the other node has not reacted yet).
// A fax that is already final is a conflict (*model.ConflictError is not
// used: the error wraps model.ErrConflict with the fax's status), and so is
// a fax whose call delivered it before the hang-up took effect.
func (s *Service) Cancel(ctx context.Context, actor model.Actor, id string) (model.Fax, error) {
	f, err := s.visible(ctx, actor, id)
	if err != nil {
		return model.Fax{}, err
	}
	if f.Direction != model.Outbound {
		return model.Fax{}, fmt.Errorf("%w: an inbound fax cannot be canceled", model.ErrConflict)
	}
	var live bool
	err = s.st.RunTx(ctx, func(tx *sql.Tx) error {
		f, err = s.st.GetFaxTx(ctx, tx, id)
		switch {
		case err != nil:
			return err
		case f.Status.Final():
			return fmt.Errorf("%w: the fax is already %s", model.ErrConflict, f.Status)
		case f.Status == model.FaxSending:
			live = true
			if f.CancelRequested {
				return nil
			}
			f.CancelRequested = true
			if err := s.st.UpdateFaxTx(ctx, tx, &f); err != nil {
				return err
			}
			return s.eventTx(ctx, tx, f, model.EventCancelRequested, f.Tries, "by "+actor.Email)
		}
		return s.decideTx(ctx, tx, f, nil, outcome{cause: model.CauseCanceled, canceledBy: true, final: true,
			text: "canceled by " + actor.Email}, nil)
	})
	if err != nil {
		return model.Fax{}, err
	}
	s.audit.Record(ctx, actor, model.ActionFaxCanceled, "fax", f.ID, "to "+f.To, f.TenantID)
	if live {
		s.calls.cancel(f.ID, ErrCanceledByUser)
		if f, err = s.awaitFinal(ctx, f); err != nil {
			return f, err
		}
		if f.Status == model.FaxDelivered {
			return f, fmt.Errorf("%w: the fax was delivered before the call could be hung up", model.ErrConflict)
		}
	}
	return s.Get(ctx, actor, f.ID)
}

// awaitFinal polls the fax until it is final or CancelWait passes.
func (s *Service) awaitFinal(ctx context.Context, f model.Fax) (model.Fax, error) {
	deadline := time.Now().Add(s.cfg.CancelWait)
	for !f.Status.Final() && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return f, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		var err error
		if f, err = s.st.GetFax(ctx, model.TenantScope(f.TenantID), f.ID); err != nil {
			return f, err
		}
	}
	return f, nil
}
