package faxout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
	"faxgate/internal/telephony/t30"
)

// RetryPolicy holds the pause before the next try per cause. Zero fields
// use the fax's own retry delay (the submission's, else the tenant's, 60 s
// by default).
//
// What each cause does:
//
//	busy, no_answer          retry after the delay
//	fax_negotiation,         retry after the delay with a fallback: the
//	fax_transfer             first such failure turns ECM off, the second
//	                         also caps the speed at 9600 bit/s
//	network                  fail over at once to the next trunk (by
//	                         priority) the fax may use; when none is left,
//	                         retry after the delay
//	internal (interrupted)   retry after Interrupted (default 5 s)
//	internal (our failure)   fail over like network (a trunk without a
//	                         driver, a broken transport); document or
//	                         file problems fail the fax at once
//	rejected, unreachable    fail the fax at once: retrying cannot help
//	canceled                 the fax is canceled
//
// A retry needs tries left: a fax with Retries r makes at most r+1 tries
// (failover legs within a try do not count as tries).
type RetryPolicy struct {
	Busy, NoAnswer, FaxError, Network time.Duration
	Interrupted                       time.Duration
}

// FallbackMaxBitRate is the speed cap of the second fax-error fallback.
const FallbackMaxBitRate = 9600

// Errors that end a call from our side, as context causes.
var (
	// ErrCanceledByUser ends a call that a user canceled.
	ErrCanceledByUser = errors.New("canceled by the user")
	// errLeaseLost ends a call whose channel lease expired (the node
	// stalled); recovery may already treat it as interrupted.
	errLeaseLost = errors.New("channel lease lost")
	// errDocument marks failures to prepare the pages: no retry helps.
	errDocument = errors.New("document cannot be sent")
)

// outcome is what a finished call means for its attempt and fax.
type outcome struct {
	status     model.AttemptStatus
	cause      model.Cause
	text       string
	sip, t30   int
	res        line.Result
	failover   bool // the trunk failed: try another one within the try
	final      bool // no retry can help
	interrupt  bool // our side stopped the call (shutdown, crash)
	delivered  bool
	canceledBy bool // a user canceled it
}

// classify maps a line's result and error (and the call context's cause)
// to an outcome.
func classify(res line.Result, err, cause error) outcome {
	o := outcome{status: model.AttemptFailed, sip: res.SIPCode, t30: res.T30Code, res: res}
	switch {
	case res.OK():
		o.status, o.delivered, o.text = model.AttemptCompleted, true, "OK"
		if res.T30Text != "" {
			o.text = res.T30Text
		}
		return o
	case errors.Is(cause, ErrCanceledByUser):
		o.cause, o.canceledBy, o.final, o.text = model.CauseCanceled, true, true, "canceled by the user"
		return o
	case err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		why := "the call was stopped"
		if cause != nil {
			why = cause.Error()
		}
		o.cause, o.interrupt, o.text = model.CauseInternal, true, "interrupted: "+why
		return o
	case err != nil && (errors.Is(err, t30.ErrUnsendable) || errors.Is(err, errDocument)):
		o.cause, o.final, o.text = model.CauseInternal, true, err.Error()
		return o
	case err != nil:
		o.cause, o.failover, o.text = model.CauseInternal, true, err.Error()
		return o
	case !res.Answered:
		return classifySIP(o, res)
	}
	return classifyFax(o, res)
}

// classifySIP classifies a call that was not answered by its SIP code.
func classifySIP(o outcome, res line.Result) outcome {
	o.text = fmt.Sprintf("%d %s", res.SIPCode, res.SIPReason)
	switch c := res.SIPCode; {
	case c == 486 || c == 600:
		o.cause = model.CauseBusy
	case c == 480 || c == 408 || c == 487:
		o.cause = model.CauseNoAnswer
	case c == 404 || c == 410 || c == 484 || c == 485 || c == 604:
		o.cause, o.final = model.CauseUnreachable, true
	case c == 401 || c == 403 || c == 407 || c == 415 || c == 488 || c == 603 || c == 606:
		o.cause, o.final = model.CauseRejected, true
	default: // 5xx, other 4xx, no response at all
		o.cause, o.failover = model.CauseNetwork, true
	}
	return o
}

// classifyFax classifies an answered call that did not deliver.
func classifyFax(o outcome, res line.Result) outcome {
	o.text = res.T30Text
	if o.text == "" {
		o.text = "fax failed"
	}
	switch {
	case !res.Negotiated && res.Pages == 0:
		// No DIS ever came: a person, a modem, silence, or a machine that
		// hung up at once.
		o.cause = model.CauseFaxNegotiation
	case res.T30Class == t30.ClassNegotiation || res.T30Class == t30.ClassTraining:
		o.cause = model.CauseFaxNegotiation
	case res.T30Class == t30.ClassFile:
		o.cause, o.final = model.CauseInternal, true
	case res.T30Class == t30.ClassInternal:
		o.cause = model.CauseInternal
	default: // transfer, remote hang-up, timeout after negotiation
		o.cause = model.CauseFaxTransfer
	}
	return o
}

// retryDelay is the pause before the next try after a failure of cause.
func (p RetryPolicy) retryDelay(o outcome, faxDelay time.Duration) time.Duration {
	pick := func(d time.Duration) time.Duration {
		if d > 0 {
			return d
		}
		return faxDelay
	}
	switch {
	case o.interrupt:
		if p.Interrupted > 0 {
			return p.Interrupted
		}
		return 5 * time.Second
	case o.cause == model.CauseBusy:
		return pick(p.Busy)
	case o.cause == model.CauseNoAnswer:
		return pick(p.NoAnswer)
	case o.cause == model.CauseFaxNegotiation || o.cause == model.CauseFaxTransfer:
		return pick(p.FaxError)
	}
	return pick(p.Network)
}

// fallbackFor returns the fax's fallback level after an outcome: fax-level
// failures step it up (ECM off, then 9600 bit/s too).
func fallbackFor(level int, o outcome) int {
	if (o.cause == model.CauseFaxNegotiation || o.cause == model.CauseFaxTransfer) && level < 2 {
		return level + 1
	}
	return level
}

// callParams returns the ECM and speed cap of a call at a fallback level on
// a trunk.
func callParams(level int, trunk model.Trunk) (ecm bool, maxBitRate int) {
	ecm = trunk.ECM && level == 0
	if level >= 2 {
		maxBitRate = FallbackMaxBitRate
	}
	return ecm, maxBitRate
}
