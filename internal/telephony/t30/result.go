//go:build cgo

package t30

import (
	"fmt"
	"time"
)

// FailureClass groups T.30 completion codes by what a retry policy can do
// about them. The empty class means success.
type FailureClass string

const (
	ClassNone FailureClass = ""
	// ClassNegotiation: the two machines found no common capabilities or
	// refused each other in phase B (retry with other options, or not at all).
	ClassNegotiation FailureClass = "negotiation"
	// ClassTraining: the modems could not train (retry slower / other transport).
	ClassTraining FailureClass = "training"
	// ClassTransfer: the call was up but the page exchange broke down
	// (retry, possibly with ECM toggled).
	ClassTransfer FailureClass = "transfer"
	// ClassRemoteHangup: the far end disconnected early (DCN or call drop).
	ClassRemoteHangup FailureClass = "remote_hangup"
	// ClassTimeout: the far end stopped answering or never started.
	ClassTimeout FailureClass = "timeout"
	// ClassFile: our TIFF could not be read or written (retrying will not help).
	ClassFile FailureClass = "file"
	// ClassInternal: a code we do not know or a local resource failure.
	ClassInternal FailureClass = "internal"
)

// Result is the outcome of a session. Page details (Width, Length, XRes,
// YRes, Compression) describe the most recent page.
type Result struct {
	OK    bool
	Code  int    // T.30 completion code (T30_ERR_*); -1 while the call runs
	Text  string // spandsp's text for Code
	Class FailureClass

	PagesTx, PagesRx int
	BitRate          int  // last negotiated image data rate, bit/s
	ECM              bool // error correction mode in use
	XRes, YRes       int  // dots per inch (204 x 98/196/391 for R8 pages)
	Width, Length    int  // pixels; Length stays 0 on the receiving side (read the file)
	Compression      string
	RemoteIdent      string // far end's TSI/CSI
	BadRows          int    // sum over received pages
	// PageTimes holds the session clock when each page was completed
	// (phase D with a page counted).
	PageTimes []time.Duration
	// Elapsed is the session clock at phase E (or now, while running).
	Elapsed time.Duration
}

// Phase names a T.30 phase that produces events.
type Phase int

const (
	// PhaseB: DIS/DTC/DCS handshake seen (Code is the frame's FCF).
	PhaseB Phase = iota + 1
	// PhaseD: post-page exchange (Code is the post-page FCF, e.g. MPS/EOP).
	PhaseD
	// PhaseE: the call ended (Code is the completion code, Result is final).
	PhaseE
)

func (p Phase) String() string {
	switch p {
	case PhaseB:
		return "B"
	case PhaseD:
		return "D"
	case PhaseE:
		return "E"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// Event reports a phase callback from spandsp.
type Event struct {
	Phase Phase
	Code  int
	Text  string        // frame name (B, D) or completion text (E)
	At    time.Duration // session clock
	// PagesTx and PagesRx are the page counters at the event.
	PagesTx, PagesRx int
	// Result is the final result on PhaseE, else the result so far.
	Result Result
}

// samplesToDuration converts 8 kHz samples to a duration.
func samplesToDuration(samples int64) time.Duration {
	return time.Duration(samples) * time.Second / 8000
}

// ppmToDPI converts spandsp's pixels per metre to dots per inch.
func ppmToDPI(ppm int) int {
	return int(float64(ppm)*0.0254 + 0.5)
}
