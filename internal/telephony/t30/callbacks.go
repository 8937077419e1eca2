//go:build cgo

package t30

// This file holds the //export functions spandsp reaches through the
// trampolines in spandsp.go. Its preamble may only declare (pitfall 1).
// Each function copies what C passed and returns at once: the data is
// handed to the session's queue and delivered to Go callbacks only after
// spandsp has returned (see Session.flush).

/*
#include "shim.h"
*/
import "C"

import "unsafe"

//export fgT38Tx
func fgT38Tx(h C.uintptr_t, buf *C.uint8_t, n C.int, count C.int) {
	s := handleOf(h)
	if s == nil || n <= 0 {
		return
	}
	s.queuePacket(unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(n)), int(count))
}

//export fgPhase
func fgPhase(h C.uintptr_t, snap *C.fg_snap) {
	s := handleOf(h)
	if s == nil {
		return
	}
	s.onPhase(phaseSnap{
		phase:       phaseOf(int(snap.phase)),
		code:        int(snap.code),
		text:        C.GoString(snap.text),
		bitRate:     int(snap.bit_rate),
		ecm:         snap.ecm != 0,
		pagesTx:     int(snap.pages_tx),
		pagesRx:     int(snap.pages_rx),
		xRes:        int(snap.x_res),
		yRes:        int(snap.y_res),
		width:       int(snap.width),
		length:      int(snap.length),
		badRows:     int(snap.bad_rows),
		encoding:    int(snap.encoding),
		remoteIdent: C.GoString(&snap.remote_ident[0]),
	})
}

//export fgLog
func fgLog(level C.int, tag, text *C.char) {
	routeLog(int(level), C.GoString(tag), C.GoString(text))
}

func phaseOf(c int) Phase {
	switch c {
	case 'B':
		return PhaseB
	case 'D':
		return PhaseD
	}
	return PhaseE
}
