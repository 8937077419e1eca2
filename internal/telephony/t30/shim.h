/* Declarations shared by the cgo files of package t30.
 *
 * This header holds declarations only: it is included from the preamble of
 * callbacks.go, whose //export functions make cgo copy that preamble into two
 * C files, so a definition here would be defined twice (fax-engine notes,
 * pitfall 1). spandsp itself is included only by spandsp.go. */
#ifndef FAXGATE_T30_SHIM_H
#define FAXGATE_T30_SHIM_H

#include <stdint.h>

/* What a phase B/D/E callback saw, copied out of spandsp by the C trampoline
 * while the t30 state is consistent, and handed to Go as one value. */
typedef struct {
    int phase;            /* 'B', 'D' or 'E' */
    int code;             /* B/D: frame control field; E: completion code */
    const char *text;     /* static spandsp string naming code */
    int bit_rate;
    int ecm;
    int pages_tx;
    int pages_rx;
    int x_res;            /* pixels per metre, as spandsp reports */
    int y_res;
    int width;
    int length;
    int bad_rows;
    int image_size;
    int encoding;
    char remote_ident[24];/* T30_MAX_IDENT_LEN (20) + NUL, rounded up */
} fg_snap;

/* The //export functions of callbacks.go. These must match the prototypes
 * cgo writes to _cgo_export.h exactly (no const), which is also why the
 * trampolines cast away const before calling them. */
extern void fgT38Tx(uintptr_t h, uint8_t *buf, int n, int count);
extern void fgPhase(uintptr_t h, fg_snap *snap);
extern void fgLog(int level, char *tag, char *text);

#endif
