//go:build cgo

package t30

import (
	"context"
	"log/slog"
	"strings"
	"sync"
)

// spandsp 0.0.6 has one process-wide log handler (span_set_message_handler)
// and it receives no user data, only the formatted line. Each session gives
// its logging states a unique tag, spandsp prints the tag in every line, and
// routeLog finds the session by that tag.
//
// logRoutes is that tag table. It is routing infrastructure of the cgo
// boundary (like the cgo.Handle table), not business state; a mutex-guarded
// map is enough because it is only touched when a session with a debug
// logger starts or ends, and for lines of such sessions.
var logRoutes = struct {
	sync.Mutex
	m map[string]*Session
}{m: map[string]*Session{}}

// installLogHandlers installs the C handlers once per process.
var installLogHandlers sync.Once

// tagPrefix starts every session tag: "[t30:<id>]" (FG_TAG_PREFIX in C).
const tagPrefix = "[t30:"

func registerLog(tag string, s *Session) {
	logRoutes.Lock()
	logRoutes.m[tag] = s
	logRoutes.Unlock()
}

func unregisterLog(tag string) {
	logRoutes.Lock()
	delete(logRoutes.m, tag)
	logRoutes.Unlock()
}

// routeLog sends one spandsp line to its session's logger at debug level.
// tag is the session tag the C side found in this line or, for lines
// spandsp prints without a label, in the last labelled line on the same
// thread. It runs on the goroutine that called into spandsp, i.e. the
// session's owner, so reading the session clock is safe.
func routeLog(level int, tag, text string) {
	_, msg := splitTag(text)
	logRoutes.Lock()
	s := logRoutes.m[tag]
	logRoutes.Unlock()
	if s == nil {
		// A line from a state we never tagged: keep it, without a session.
		slog.Default().Debug("spandsp: "+msg, "spandsp_level", level)
		return
	}
	s.opts.Logger.LogAttrs(context.Background(), slog.LevelDebug, msg,
		slog.String("tag", s.opts.LogTag),
		slog.Duration("clock", s.Clock()),
		slog.Int("spandsp_level", level))
}

// splitTag finds "[t30:<id>]" in a spandsp line ("T.30 [t30:7] Rx DIS\n")
// and returns it and the line without it.
func splitTag(text string) (tag, msg string) {
	text = strings.TrimRight(text, "\r\n ")
	i := strings.Index(text, tagPrefix)
	if i < 0 {
		return "", text
	}
	j := strings.IndexByte(text[i:], ']')
	if j < 0 {
		return "", text
	}
	tag = text[i : i+j+1]
	return tag, strings.TrimSpace(text[:i] + strings.TrimLeft(text[i+j+1:], " "))
}
