package sip

import (
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Session timers (RFC 4028). We refresh with re-INVITE, never UPDATE: a
// refresh re-INVITE carries our current SDP with the same o= version, so
// the far end sees unchanged media, and every peer that does fax handles
// re-INVITEs anyway (UPDATE is answered, but not sent).

// sessionExpiresOf returns the Session-Expires value of m (or its compact
// form "x"), "" if none.
func sessionExpiresOf(m interface{ GetHeader(string) sip.Header }) string {
	if v := headerValue(m, "Session-Expires"); v != "" {
		return v
	}
	return headerValue(m, "x")
}

// supportsTimer reports "timer" in Supported (or "k").
func supportsTimer(m interface{ GetHeaders(string) []sip.Header }) bool {
	var vals []string
	for _, name := range []string{"Supported", "k"} {
		for _, h := range m.GetHeaders(name) {
			vals = append(vals, h.Value())
		}
	}
	return hasOptionTag(vals, "timer")
}

func seconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// sessionTimerRequest returns the RFC 4028 headers of a request we send:
// Supported: timer always, and Session-Expires/Min-SE when interval > 0.
func (ua *UA) sessionTimerRequest(interval time.Duration, ref Refresher) []sip.Header {
	hdrs := []sip.Header{sip.NewHeader("Supported", "timer")}
	if interval > 0 {
		hdrs = append(hdrs,
			sip.NewHeader("Session-Expires", SessionExpires{Interval: interval, Refresher: ref}.String()),
			sip.NewHeader("Min-SE", seconds(ua.cfg.MinSE)))
	}
	return hdrs
}

// sessionTimerAnswer decides the session timer of a request we answer
// (initial INVITE, re-INVITE, UPDATE). It returns the headers for our 2xx
// and the resulting state, or a status to reject with (400 for a broken
// Session-Expires, 422 with Min-SE when the interval is below our Min-SE).
//
// The refresher is the one the request names; if it names none, the
// requester when it supports timers (refresher=uac, with Require: timer),
// else us. Without Session-Expires in the request we add ours (RFC 4028
// §9 allows the UAS to), unless our SessionExpires is negative.
func (ua *UA) sessionTimerAnswer(req *sip.Request) (hdrs []sip.Header, st sessionTimer, code int, extra []sip.Header) {
	supported := supportsTimer(req)
	hdrs = []sip.Header{sip.NewHeader("Supported", "timer")}
	var se SessionExpires
	if v := sessionExpiresOf(req); v != "" {
		var err error
		if se, err = ParseSessionExpires(v); err != nil {
			return nil, st, 400, nil
		}
		if se.Interval < ua.cfg.MinSE {
			return nil, st, 422, []sip.Header{sip.NewHeader("Min-SE", seconds(ua.cfg.MinSE))}
		}
	} else {
		if ua.cfg.SessionExpires <= 0 {
			return hdrs, st, 0, nil
		}
		se.Interval = ua.cfg.SessionExpires
		if far, err := ParseMinSE(headerValue(req, "Min-SE")); err == nil && far > se.Interval {
			se.Interval = far
		}
	}
	if se.Refresher == RefresherNone || (se.Refresher == RefresherUAC && !supported) {
		se.Refresher = RefresherUAS
		if supported {
			se.Refresher = RefresherUAC
		}
	}
	hdrs = append(hdrs, sip.NewHeader("Session-Expires", se.String()))
	if se.Refresher == RefresherUAC {
		hdrs = append(hdrs, sip.NewHeader("Require", "timer"))
	}
	return hdrs, sessionTimer{interval: se.Interval, weRefresh: se.Refresher == RefresherUAS}, 0, nil
}

// sessionTimerFromResponse reads the session timer from the 2xx to one
// of our INVITEs: none when absent (RFC 4028 §7.2: no expiration), we
// refresh unless the far end took the job (refresher=uas).
func (ua *UA) sessionTimerFromResponse(res *sip.Response, prev sessionTimer) sessionTimer {
	v := sessionExpiresOf(res)
	if v == "" {
		return sessionTimer{}
	}
	se, err := ParseSessionExpires(v)
	if err != nil {
		return prev
	}
	return sessionTimer{interval: se.Interval, weRefresh: se.Refresher != RefresherUAS}
}
