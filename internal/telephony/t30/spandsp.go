//go:build cgo

package t30

/*
#cgo pkg-config: spandsp libtiff-4
#cgo LDFLAGS: -ltiff -lm
#include <stdlib.h>
#include <string.h>
#include <spandsp.h>
#include "shim.h"

#define FG_TAG_PREFIX "[t30:"

// The trampolines below are the C functions spandsp calls. They are static,
// live in this file and not in callbacks.go (whose preamble may only hold
// declarations, pitfall 1), and turn user_data back into the integer
// cgo.Handle that names the Go session (pitfall 2: no Go pointer in C).

static int fg_tx_packet(t38_core_state_t *core, void *user_data, const uint8_t *buf, int len, int count)
{
    fgT38Tx((uintptr_t) user_data, (uint8_t *) buf, len, count);
    return 0;
}

// fg_report copies what a phase callback needs out of the t30 state while it
// is consistent, so Go never has to call back into spandsp from a callback.
static void fg_report(t30_state_t *t, void *user_data, int phase, int code, const char *text)
{
    fg_snap snap;
    t30_stats_t st;
    const char *ident;

    memset(&snap, 0, sizeof(snap));
    memset(&st, 0, sizeof(st));
    t30_get_transfer_statistics(t, &st);
    snap.phase = phase;
    snap.code = code;
    snap.text = text;
    snap.bit_rate = st.bit_rate;
    snap.ecm = st.error_correcting_mode;
    snap.pages_tx = st.pages_tx;
    snap.pages_rx = st.pages_rx;
    snap.x_res = st.x_resolution;
    snap.y_res = st.y_resolution;
    snap.width = st.width;
    snap.length = st.length;
    snap.bad_rows = st.bad_rows;
    snap.image_size = st.image_size;
    snap.encoding = st.encoding;
    ident = t30_get_rx_ident(t);
    if (ident != NULL)
        strncpy(snap.remote_ident, ident, sizeof(snap.remote_ident) - 1);
    fgPhase((uintptr_t) user_data, &snap);
}

static int fg_phase_b(t30_state_t *t, void *user_data, int result)
{
    fg_report(t, user_data, 'B', result, t30_frametype((uint8_t) result));
    return T30_ERR_OK;
}

static int fg_phase_d(t30_state_t *t, void *user_data, int result)
{
    fg_report(t, user_data, 'D', result, t30_frametype((uint8_t) result));
    return T30_ERR_OK;
}

static void fg_phase_e(t30_state_t *t, void *user_data, int completion_code)
{
    fg_report(t, user_data, 'E', completion_code, t30_completion_code_to_str(completion_code));
}

// fg_thread_tag remembers the last session tag logged on this OS thread.
// spandsp prints some multi-line output (the DIS/DCS decode) with
// SPAN_LOG_SUPPRESS_LABELLING, i.e. without the tag, right after a tagged
// header line inside the same C call, and a C call never changes thread.
static __thread char fg_thread_tag[32];

static void fg_log_line(int level, const char *text)
{
    const char *start;
    const char *end;

    if ((level & SPAN_LOG_SUPPRESS_LABELLING) == 0)
    {
        fg_thread_tag[0] = '\0';
        if ((start = strstr(text, FG_TAG_PREFIX)) != NULL
            &&
            (end = strchr(start, ']')) != NULL
            &&
            end - start + 1 < (int) sizeof(fg_thread_tag))
        {
            memcpy(fg_thread_tag, start, end - start + 1);
            fg_thread_tag[end - start + 1] = '\0';
        }
    }
    fgLog(level & SPAN_LOG_SEVERITY_MASK, fg_thread_tag, (char *) text);
}

static void fg_log_message(int level, const char *text)
{
    fg_log_line(level, text);
}

static void fg_log_error(const char *text)
{
    fg_log_line(SPAN_LOG_ERROR, text);
}

static void fg_install_log_handlers(void)
{
    span_set_message_handler(fg_log_message);
    span_set_error_handler(fg_log_error);
}

static void fg_set_phase_handlers(t30_state_t *t, uintptr_t h)
{
    t30_set_phase_b_handler(t, fg_phase_b, (void *) h);
    t30_set_phase_d_handler(t, fg_phase_d, (void *) h);
    t30_set_phase_e_handler(t, fg_phase_e, (void *) h);
}

static t38_terminal_state_t *fg_t38_new(int calling_party, uintptr_t h)
{
    t38_terminal_state_t *s;

    s = t38_terminal_init(NULL, calling_party, fg_tx_packet, (void *) h);
    if (s != NULL)
        fg_set_phase_handlers(t38_terminal_get_t30_state(s), h);
    return s;
}

static fax_state_t *fg_fax_new(int calling_party, uintptr_t h)
{
    fax_state_t *s;

    s = fax_init(NULL, calling_party);
    if (s != NULL)
        fg_set_phase_handlers(fax_get_t30_state(s), h);
    return s;
}

// fg_log_setup also sets the handlers on the state itself: span_log_init
// copies the global handlers when a state is created, so the global ones
// alone would miss states created before they were installed.
static void fg_log_setup(logging_state_t *l, int severity, const char *tag)
{
    span_log_set_message_handler(l, fg_log_message);
    span_log_set_error_handler(l, fg_log_error);
    span_log_set_level(l, severity | SPAN_LOG_SHOW_PROTOCOL | SPAN_LOG_SHOW_TAG);
    span_log_set_tag(l, tag);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"unsafe"
)

// Aliases that let the pure-Go files hold C pointers without importing "C".
type (
	cT38   = C.t38_terminal_state_t
	cFax   = C.fax_state_t
	cT30   = C.t30_state_t
	cCore  = C.t38_core_state_t
	cChar  = C.char
	cUint8 = C.uint8_t
	cInt16 = C.int16_t
)

// cbool converts a Go bool to spandsp's int flags.
func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// installLogging routes spandsp's process-wide log handlers to Go, once,
// before the first spandsp state exists (states copy them when created).
func installLogging() {
	installLogHandlers.Do(func() { C.fg_install_log_handlers() })
}

// newT38State creates the spandsp T.38 terminal and points its callbacks at
// the session's handle.
func (s *Session) newT38State() error {
	s.t38 = C.fg_t38_new(cbool(s.opts.Role == Caller), C.uintptr_t(s.handle))
	if s.t38 == nil {
		return errors.New("t30: spandsp could not create a T.38 terminal")
	}
	s.t30 = C.t38_terminal_get_t30_state(s.t38)
	s.core = C.t38_terminal_get_t38_core_state(s.t38)

	t := s.opts.T38
	config := C.int(0)
	if t.NoPacing {
		config = C.T38_TERMINAL_OPTION_NO_PACING
	}
	C.t38_terminal_set_config(s.t38, config)
	C.t38_set_t38_version(s.core, C.int(t.Version))
	rate := t.MaxBitRate
	if rate == 0 || rate > 14400 {
		rate = 14400
	}
	C.t38_set_fastest_image_data_rate(s.core, C.int(rate))
	C.t38_terminal_set_fill_bit_removal(s.t38, cbool(t.FillBitRemoval))
	return nil
}

// newAudioState creates the spandsp audio fax (modems + T.30).
func (s *Session) newAudioState() error {
	s.fax = C.fg_fax_new(cbool(s.opts.Role == Caller), C.uintptr_t(s.handle))
	if s.fax == nil {
		return errors.New("t30: spandsp could not create an audio fax")
	}
	s.t30 = C.fax_get_t30_state(s.fax)
	C.fax_set_transmit_on_idle(s.fax, cbool(!s.opts.NoTransmitOnIdle))
	return nil
}

// configureT30 applies the transport-independent options.
func (s *Session) configureT30() error {
	o := &s.opts
	t := s.t30
	C.t30_set_ecm_capability(t, cbool(o.ECM))
	modems := modemSupport(o.modemBits(s.transport))
	if s.transport == "t38" {
		// t38_terminal_init offers IAF; keep it (0.0.6 t30.c never reads it).
		modems |= C.T30_SUPPORT_IAF
	}
	C.t30_set_supported_modems(t, modems)
	// T.6 is only chosen with ECM; offering it costs nothing otherwise.
	C.t30_set_supported_compressions(t, C.T30_SUPPORT_T4_1D_COMPRESSION|C.T30_SUPPORT_T4_2D_COMPRESSION|C.T30_SUPPORT_T6_COMPRESSION)
	C.t30_set_supported_resolutions(t, resolutionSupport(o.resolutions()))
	C.t30_set_supported_image_sizes(t, imageSizeSupport(o.imageSizes()))
	if C.t30_set_rx_encoding(t, C.T4_COMPRESSION_ITU_T6) != 0 {
		return errors.New("t30: spandsp refused T.6 as receive encoding")
	}
	if err := withCString(o.LocalIdent, func(cs *C.char) C.int { return C.t30_set_tx_ident(t, cs) }); err != nil {
		return fmt.Errorf("t30: spandsp refused local ident %q", o.LocalIdent)
	}
	if err := withCString(o.HeaderInfo, func(cs *C.char) C.int { return C.t30_set_tx_page_header_info(t, cs) }); err != nil {
		return fmt.Errorf("t30: spandsp refused page header %q", o.HeaderInfo)
	}
	// spandsp copies file names (strncpy), so the C strings can go at once.
	switch o.Direction {
	case Send:
		withCString(o.TxFile, func(cs *C.char) C.int { C.t30_set_tx_file(t, cs, -1, -1); return 0 })
	case Receive:
		withCString(o.RxFile, func(cs *C.char) C.int { C.t30_set_rx_file(t, cs, -1); return 0 })
	}
	return nil
}

// withCString calls f with s as a temporary C string ("" passes NULL, which
// spandsp reads as "none") and reports a non-zero result as an error.
func withCString(s string, f func(*C.char) C.int) error {
	var cs *C.char
	if s != "" {
		cs = C.CString(s)
		defer C.free(unsafe.Pointer(cs))
	}
	if f(cs) != 0 {
		return errors.New("refused")
	}
	return nil
}

func modemSupport(m Modems) C.int {
	var v C.int
	if m&V27ter != 0 {
		v |= C.T30_SUPPORT_V27TER
	}
	if m&V29 != 0 {
		v |= C.T30_SUPPORT_V29
	}
	if m&V17 != 0 {
		v |= C.T30_SUPPORT_V17
	}
	return v
}

func resolutionSupport(r Resolutions) C.int {
	v := C.int(C.T30_SUPPORT_R8_RESOLUTION)
	if r&ResStandard != 0 {
		v |= C.T30_SUPPORT_STANDARD_RESOLUTION
	}
	if r&ResFine != 0 {
		v |= C.T30_SUPPORT_FINE_RESOLUTION
	}
	if r&ResSuperfine != 0 {
		v |= C.T30_SUPPORT_SUPERFINE_RESOLUTION
	}
	if r&ResR16 != 0 {
		v |= C.T30_SUPPORT_R16_RESOLUTION
	}
	return v
}

func imageSizeSupport(z ImageSizes) C.int {
	bits := [...]struct {
		size ImageSizes
		c    C.int
	}{
		{WidthA4, C.T30_SUPPORT_215MM_WIDTH},
		{WidthB4, C.T30_SUPPORT_255MM_WIDTH},
		{WidthA3, C.T30_SUPPORT_303MM_WIDTH},
		{LengthA4, C.T30_SUPPORT_A4_LENGTH},
		{LengthB4, C.T30_SUPPORT_B4_LENGTH},
		{LengthLetter, C.T30_SUPPORT_US_LETTER_LENGTH},
		{LengthLegal, C.T30_SUPPORT_US_LEGAL_LENGTH},
		{LengthUnlimited, C.T30_SUPPORT_UNLIMITED_LENGTH},
	}
	var v C.int
	for _, b := range bits {
		if z&b.size != 0 {
			v |= b.c
		}
	}
	return v
}

// setupLogging points every logging state of the session at its tag. The
// tag C string stays allocated until Close, because span_log_set_tag keeps
// the pointer (pitfall 4).
func (s *Session) setupLogging() {
	if !s.opts.logEnabled() {
		return
	}
	// A live cgo.Handle is unique in the process, so it names the session.
	s.tag = fmt.Sprintf("%s%d]", tagPrefix, uintptr(s.handle))
	s.cTag = C.CString(s.tag)
	registerLog(s.tag, s)
	C.fg_log_setup(C.t30_get_logging_state(s.t30), C.SPAN_LOG_FLOW, s.cTag)
	if s.t38 != nil {
		C.fg_log_setup(C.t38_terminal_get_logging_state(s.t38), C.SPAN_LOG_FLOW, s.cTag)
		// t38_core logs every packet at FLOW; keep only its warnings
		// (missing packets, bad IFPs).
		C.fg_log_setup(C.t38_core_get_logging_state(s.core), C.SPAN_LOG_PROTOCOL_WARNING, s.cTag)
	}
	if s.fax != nil {
		C.fg_log_setup(C.fax_get_logging_state(s.fax), C.SPAN_LOG_FLOW, s.cTag)
	}
}

// freeC releases every piece of C state exactly once; the fields are cleared
// so a second call does nothing.
func (s *Session) freeC() {
	if s.t38 != nil {
		C.t38_terminal_free(s.t38)
	}
	if s.fax != nil {
		C.fax_free(s.fax)
	}
	s.t38, s.fax, s.t30, s.core = nil, nil, nil, nil
	if s.cTag != nil {
		unregisterLog(s.tag)
		C.free(unsafe.Pointer(s.cTag))
		s.cTag = nil
	}
	if s.ifpBuf != nil {
		C.free(unsafe.Pointer(s.ifpBuf))
		s.ifpBuf, s.ifpCap = nil, 0
	}
	if s.audioBuf != nil {
		C.free(unsafe.Pointer(s.audioBuf))
		s.audioBuf, s.audioCap = nil, 0
	}
	if s.handle != 0 {
		s.handle.Delete()
		s.handle = 0
	}
}

// terminate ends T.30 if phase E has not happened; spandsp then reports
// phase E (T30_ERR_CALLDROPPED unless the call was already closing).
func (s *Session) terminate() {
	if s.t30 != nil && !s.ended {
		C.t30_terminate(s.t30)
	}
}

// sendTimeout advances the T.38 clock and reports whether T.30 is done.
func (s *Session) sendTimeout(samples int) bool {
	return C.t38_terminal_send_timeout(s.t38, C.int(samples)) != 0
}

// rxIFP hands one IFP to t38_core through a C copy (spandsp may not keep Go
// memory, and the copy lets the caller reuse its buffer).
func (s *Session) rxIFP(ifp []byte, seq uint16) {
	if len(ifp) > s.ifpCap {
		if s.ifpBuf != nil {
			C.free(unsafe.Pointer(s.ifpBuf))
		}
		s.ifpCap = max(len(ifp), 512)
		s.ifpBuf = (*C.uint8_t)(C.malloc(C.size_t(s.ifpCap)))
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(s.ifpBuf)), len(ifp)), ifp)
	C.t38_core_rx_ifp_packet(s.core, s.ifpBuf, C.int(len(ifp)), C.uint16_t(seq))
}

// audio returns the session's C sample buffer, at least n samples long.
func (s *Session) audio(n int) []int16 {
	if n > s.audioCap {
		if s.audioBuf != nil {
			C.free(unsafe.Pointer(s.audioBuf))
		}
		s.audioCap = max(n, 320)
		s.audioBuf = (*C.int16_t)(C.malloc(C.size_t(s.audioCap) * 2))
	}
	return unsafe.Slice((*int16)(unsafe.Pointer(s.audioBuf)), s.audioCap)
}

// faxRx feeds n samples already copied into the C buffer; fax_rx changes
// them in place, which is why callers' frames are never passed directly.
func (s *Session) faxRx(n int) {
	C.fax_rx(s.fax, s.audioBuf, C.int(n))
}

func (s *Session) faxRxFillin(n int) {
	C.fax_rx_fillin(s.fax, C.int(n))
}

// faxTx lets the modems write up to n samples into the C buffer.
func (s *Session) faxTx(n int) int {
	return int(C.fax_tx(s.fax, s.audioBuf, C.int(n)))
}

// compressionName names a spandsp T4_COMPRESSION_* value.
func compressionName(encoding int) string {
	if encoding <= 0 {
		return ""
	}
	return C.GoString(C.t4_encoding_to_str(C.int(encoding)))
}

// handleOf is the inverse of the user_data spandsp passes back.
func handleOf(h C.uintptr_t) *Session {
	s, _ := cgo.Handle(h).Value().(*Session)
	return s
}
