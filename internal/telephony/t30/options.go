//go:build cgo

package t30

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Role is the SIP role of the session's side of the call. spandsp calls it the
// "calling party": the caller sends CNG and waits for DIS, the answerer sends
// CED and DIS. It is independent of Direction.
type Role int

const (
	// Caller placed the call (sends CNG).
	Caller Role = iota
	// Answerer took the call (sends CED, then DIS).
	Answerer
)

func (r Role) String() string {
	switch r {
	case Caller:
		return "caller"
	case Answerer:
		return "answerer"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Direction says whether the session sends or receives the document.
type Direction int

const (
	// Send transmits Options.TxFile.
	Send Direction = iota
	// Receive stores the far end's document in Options.RxFile.
	Receive
)

func (d Direction) String() string {
	switch d {
	case Send:
		return "send"
	case Receive:
		return "receive"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// Modems is a set of image-data modems the session may use. Zero means all.
type Modems uint

const (
	V27ter Modems = 1 << iota // 2400/4800 bit/s
	V29                       // 7200/9600 bit/s
	V17                       // 7200..14400 bit/s
)

// AllModems is what a zero Modems value means.
const AllModems = V27ter | V29 | V17

// Resolutions is a set of resolutions the session offers to receive (and may
// send). Zero means DefaultResolutions. R8 (204 dpi across) is always offered
// because every fax machine must support it.
type Resolutions uint

const (
	ResStandard  Resolutions = 1 << iota // 204 x 98 dpi
	ResFine                              // 204 x 196 dpi
	ResSuperfine                         // 204 x 391 dpi
	ResR16                               // 408 x 391 dpi (3456 pixels across)
)

// DefaultResolutions is what a zero Resolutions value means.
const DefaultResolutions = ResStandard | ResFine | ResSuperfine | ResR16

// ImageSizes is a set of page widths and lengths the session offers. Zero
// means DefaultImageSizes. The A4 width (215 mm, 1728 pixels at R8) is always
// offered because every fax machine must support it.
type ImageSizes uint

const (
	WidthA4         ImageSizes = 1 << iota // 215 mm, 1728 px
	WidthB4                                // 255 mm, 2048 px
	WidthA3                                // 303 mm, 2432 px
	LengthA4                               // 297 mm
	LengthB4                               // 364 mm
	LengthLetter                           // US letter
	LengthLegal                            // US legal
	LengthUnlimited                        // any length
)

// DefaultImageSizes is what a zero ImageSizes value means.
const DefaultImageSizes = WidthA4 | WidthB4 | WidthA3 | LengthA4 | LengthB4 | LengthLetter | LengthLegal | LengthUnlimited

// T38Options are the T.38 parameters agreed in SDP. They are ignored by
// audio sessions.
type T38Options struct {
	// Version is the agreed T38FaxVersion, 0..3.
	Version int
	// MaxBitRate is the agreed T38MaxBitRate in bit/s; 0 means 14400.
	// spandsp 0.0.6 only stores this value, so the session enforces it by
	// leaving out the modems that would exceed it.
	MaxBitRate int
	// FillBitRemoval mirrors T38FaxFillBitRemoval: set it only when the far
	// end's SDP offered it.
	FillBitRemoval bool
	// NoPacing streams data as fast as the clock is advanced instead of one
	// chunk per 30 ms of session time. It is meant for TCP/TPKT transports and
	// tests; UDPTL needs pacing.
	NoPacing bool
}

// Limits spandsp 0.0.6 enforces (or would silently apply).
const (
	MaxIdentLen      = 20  // T30_MAX_IDENT_LEN: TSI/CSI
	MaxHeaderInfoLen = 50  // T30_MAX_PAGE_HEADER_INFO
	MaxPathLen       = 255 // t30 keeps file names in char[256] and truncates longer ones
)

// Options configure one fax session.
type Options struct {
	Role      Role
	Direction Direction
	// TxFile is the TIFF to send (Direction Send). It is validated before the
	// session is created, because spandsp only opens it after DIS arrives.
	TxFile string
	// TxValidated says the caller checked TxFile with faxtiff.Validate
	// after it was last written and before this session, so the session
	// skips its own check (about 5 ms of CPU per call, some 8 % of a
	// short call). Leave it false for files of unknown origin: the check
	// is what turns a bad file into an error before dialling instead of a
	// failed call.
	TxValidated bool
	// RxFile is where a received document is written (Direction Receive),
	// as multi-page TIFF with T.6 (G4) compression. After a failed call it
	// holds the Result.PagesRx complete pages; with none it may not exist.
	RxFile string
	// ECM enables error correction mode (and with it T.6 on the line).
	ECM bool
	// Modems restricts the image modems; zero means all.
	Modems Modems
	// LocalIdent is our TSI (sending) or CSI (receiving), at most 20
	// printable ASCII characters; T.30 expects digits, '+' and spaces.
	LocalIdent string
	// HeaderInfo is the text spandsp prints in the header line it adds on top
	// of every sent page ("" = no header line). At most 50 characters.
	HeaderInfo string
	// Resolutions and ImageSizes limit what we offer; zero means defaults.
	Resolutions Resolutions
	ImageSizes  ImageSizes
	// T38 holds the negotiated T.38 parameters (T.38 sessions only).
	T38 T38Options
	// NoTransmitOnIdle makes TxAudio return fewer samples than asked while
	// the modem is idle, instead of filling the frame with silence.
	NoTransmitOnIdle bool
	// OnEvent receives phase B, D and E events. It runs on the goroutine that
	// owns the session, after spandsp has returned, so it may call any
	// method of any session, including this one.
	OnEvent func(Event)
	// LogTag labels this session's spandsp log lines; Logger receives them at
	// debug level. A nil Logger (or one with debug disabled) turns spandsp
	// logging off for the session, which also saves its formatting cost.
	LogTag string
	Logger *slog.Logger
}

// check reports the first problem with o that can be found before any C
// state exists. transport is "t38" or "audio".
func (o *Options) check(transport string) error {
	if o.Role != Caller && o.Role != Answerer {
		return fmt.Errorf("t30: unknown role %d", int(o.Role))
	}
	if err := checkText("local ident", o.LocalIdent, MaxIdentLen); err != nil {
		return err
	}
	if err := checkText("page header", o.HeaderInfo, MaxHeaderInfoLen); err != nil {
		return err
	}
	if o.Modems&^AllModems != 0 {
		return fmt.Errorf("t30: unknown modem bits %#x", uint(o.Modems&^AllModems))
	}
	if transport == "t38" {
		if o.T38.Version < 0 || o.T38.Version > 3 {
			return fmt.Errorf("t30: T.38 version %d; it must be 0..3", o.T38.Version)
		}
		if o.T38.MaxBitRate < 0 {
			return fmt.Errorf("t30: T.38 max bit rate %d is negative", o.T38.MaxBitRate)
		}
	}
	if o.modemBits(transport) == 0 {
		return fmt.Errorf("t30: no modem left: modems %#x cannot run at or below %d bit/s", uint(o.Modems), o.T38.MaxBitRate)
	}
	switch o.Direction {
	case Send:
		if o.TxFile == "" {
			return errors.New("t30: sending needs a TxFile")
		}
		if err := checkPath(o.TxFile); err != nil {
			return err
		}
		if !o.TxValidated {
			if err := validateTxFile(o.TxFile); err != nil {
				return err
			}
		}
	case Receive:
		if o.RxFile == "" {
			return errors.New("t30: receiving needs an RxFile")
		}
		if err := checkPath(o.RxFile); err != nil {
			return err
		}
		dir := filepath.Dir(o.RxFile)
		if st, err := os.Stat(dir); err != nil {
			return fmt.Errorf("t30: receive folder: %w", err)
		} else if !st.IsDir() {
			return fmt.Errorf("t30: receive folder %s is not a folder", dir)
		}
	default:
		return fmt.Errorf("t30: unknown direction %d", int(o.Direction))
	}
	return nil
}

// checkPath refuses names spandsp would truncate or cut at a NUL byte,
// which would make it open another file than the one meant.
func checkPath(p string) error {
	if len(p) > MaxPathLen {
		return fmt.Errorf("t30: file name is %d bytes long; spandsp takes at most %d", len(p), MaxPathLen)
	}
	if strings.IndexByte(p, 0) >= 0 {
		return fmt.Errorf("t30: file name %q contains a NUL byte", p)
	}
	return nil
}

// checkText accepts printable ASCII up to max characters: spandsp copies the
// bytes into fixed-size C arrays and the far end shows them as-is.
func checkText(what, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("t30: %s %q is %d characters long; at most %d are allowed", what, s, len(s), max)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return fmt.Errorf("t30: %s %q has a character at position %d that is not printable ASCII", what, s, i+1)
		}
	}
	return nil
}

// modemBits returns the Modems the session may use, after applying the T.38
// max bit rate (spandsp 0.0.6 cannot cap a modem's speed, only drop it).
func (o *Options) modemBits(transport string) Modems {
	m := o.Modems
	if m == 0 {
		m = AllModems
	}
	if transport == "t38" && o.T38.MaxBitRate > 0 {
		if o.T38.MaxBitRate < 14400 {
			m &^= V17
		}
		if o.T38.MaxBitRate < 9600 {
			m &^= V29
		}
		if o.T38.MaxBitRate < 2400 {
			m = 0
		}
	}
	return m
}

func (o *Options) resolutions() Resolutions {
	if o.Resolutions == 0 {
		return DefaultResolutions
	}
	return o.Resolutions
}

func (o *Options) imageSizes() ImageSizes {
	if o.ImageSizes == 0 {
		return DefaultImageSizes
	}
	return o.ImageSizes | WidthA4
}

func (o *Options) logEnabled() bool {
	return o.Logger != nil && o.Logger.Enabled(context.Background(), slog.LevelDebug)
}
