// Package line defines how faxout places an outbound fax call (Line, Call,
// Result, Progress) and provides the built-in test line: a Line that runs
// every call through the real fax engine (internal/telephony/t30 over
// internal/telephony/linesim) to a simulated fax machine, with documented
// test numbers for busy, unanswered, voice, dropped and failing calls.
//
// The SIP trunk (a later issue) implements the same interface: Dial places
// the call, reports progress, runs the fax engine on the answered call and
// returns what happened; faxout classifies it, records it and decides on
// retries.
package line

import (
	"context"
	"time"

	"faxgate/internal/model"
	"faxgate/internal/telephony/t30"
)

// Line places outbound fax calls on one trunk. It is safe for concurrent
// use: every Dial is one independent call.
type Line interface {
	// Dial places the call and, once answered, sends the fax. It returns
	// when the call is over. A failed call is not an error: its Result says
	// what happened (SIP code, T.30 code). The error reports a problem on
	// our side that prevented or broke the call (the file, the engine, the
	// transport), or the end of ctx: then the line has hung up the call and
	// Result holds what happened until then; context.Cause(ctx) tells why.
	Dial(ctx context.Context, c Call) (Result, error)
}

// Call is one outbound fax call.
type Call struct {
	// FaxID and AttemptID identify the call in logs (and SIP headers).
	FaxID, AttemptID string
	// To is what the trunk dials (its dial rules applied); E164 the
	// destination in E.164, for routing decisions (test numbers, own DIDs).
	To   string
	E164 string
	// CallerID is the calling number in E.164 ("" = none, anonymous).
	CallerID string
	// StationID is our TSI (<= 20 printable characters, usually the caller
	// ID); HeaderInfo the text of the header line printed on top of every
	// page (<= 50 characters; the engine adds the date, time, station id and
	// page number).
	StationID  string
	HeaderInfo string
	// TIFFPath is the TIFF-F file to send; Pages its page count.
	TIFFPath string
	Pages    int
	// ECM offers error correction mode; MaxBitRate caps the modem speed
	// (0: no cap; 9600 keeps V.17 out, 4800 also V.29).
	ECM        bool
	MaxBitRate int
	// RingTimeout gives up a call that rings this long unanswered (0: the
	// line's default).
	RingTimeout time.Duration
	// Progress, when set, is told about the call's stages. It runs on the
	// goroutine that drives the call (the fax engine's, for pages) and must
	// return at once: queue the report, never block on I/O.
	Progress func(Progress)
}

// Stage is a step of a call's progress.
type Stage string

const (
	StageDialing   Stage = "dialing"   // the call is being set up
	StageRinging   Stage = "ringing"   // the far end alerts (SIP 180/183)
	StageConnected Stage = "connected" // answered (SIP 200); the fax engine starts
	StagePage      Stage = "page"      // the far end confirmed a page (MCF)
)

// Progress reports one stage of a call.
type Progress struct {
	Stage Stage
	At    time.Time
	// Page is the number of pages the far end confirmed so far (StagePage).
	Page int
	// The line parameters known at this point (after connected).
	Transport       model.Transport
	BitRate         int
	ECM             bool
	RemoteStationID string
}

// Result is what happened on a call.
type Result struct {
	// Answered reports the far end answered (SIP 200); AnsweredAt and
	// EndedAt are wall-clock times.
	Answered   bool
	AnsweredAt time.Time
	EndedAt    time.Time
	// SIPCode and SIPReason are the call setup's final response (200 when
	// answered, 486 busy, 480 no answer, 503 network failure, ...).
	SIPCode   int
	SIPReason string
	// T30Code, T30Text and T30Class are the fax engine's completion (code
	// -1: the engine did not run).
	T30Code  int
	T30Text  string
	T30Class t30.FailureClass
	// Negotiated reports the fax handshake got as far as capabilities
	// (DIS): the far end is a fax machine.
	Negotiated bool
	// RemoteHangup reports the far end ended the call (BYE) before the fax
	// was done.
	RemoteHangup bool
	// Pages is the number of pages the far end confirmed.
	Pages           int
	BitRate         int
	ECM             bool
	Transport       model.Transport
	RemoteStationID string
}

// OK reports a call that delivered every page it was asked to send.
func (r Result) OK() bool { return r.Answered && r.T30Code == t30.CodeOK }

// notAnswered is a Result of a call that ended before an answer.
func notAnswered(code int, reason string) Result {
	return Result{SIPCode: code, SIPReason: reason, T30Code: -1, EndedAt: time.Now()}
}

// report calls c.Progress if set.
func (c Call) report(p Progress) {
	if c.Progress != nil {
		if p.At.IsZero() {
			p.At = time.Now()
		}
		c.Progress(p)
	}
}
