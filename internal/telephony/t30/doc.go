// Package t30 runs one fax call (ITU-T T.30) over T.38 or G.711 audio with
// spandsp 0.0.6. It is the only cgo package of faxgate.
//
// A Session is created for one role (Caller/Answerer, the SIP roles) and one
// direction (Send/Receive), over T.38 (NewT38: IFP packets in and out, clock
// advanced by the caller) or audio (NewAudio: 8 kHz linear frames in and
// out, clock advanced by received frames). The caller's goroutine owns the
// session and drives it from a 20 ms ticker; spandsp never runs on its own.
//
// Rules at the C boundary (see the fax-engine notes):
//   - no Go pointer reaches C: spandsp's user_data is a runtime/cgo.Handle;
//   - data spandsp hands to callbacks is copied, queued, and delivered to
//     Go callbacks only after spandsp has returned, so callbacks never
//     re-enter spandsp;
//   - C state is freed exactly once, in Close;
//   - spandsp's log is routed per session by tag to a slog.Logger.
//
// Files to send are validated before the session starts, because spandsp
// only opens them after the call is up.
package t30
