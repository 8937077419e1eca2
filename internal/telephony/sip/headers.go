package sip

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits of the header values this package parses itself.
const (
	maxNumberLen   = 64          // digits of a dialled number or caller ID
	maxDeltaSecond = 1<<31 - 1   // RFC 3261 delta-seconds
	maxHeaderValue = 1024        // octets of a Session-Expires / Min-SE value
	minMinSE       = time.Second // below this a session timer is nonsense
)

// NormalizeNumber turns the user part of a SIP or tel URI into the digits
// of a telephone number: it percent-decodes, drops URI parameters
// (";phone-context=...", ";npdi"...), a leading "+", and the visual
// separators of RFC 3966 ("-", ".", "(", ")", and spaces). It reports false
// when anything else is left (letters, "*", "#") or nothing at all, or the
// number is longer than 64 digits: such a user part is not a number.
func NormalizeNumber(user string) (string, bool) {
	if u, err := url.PathUnescape(user); err == nil {
		user = u
	}
	if i := strings.IndexByte(user, ';'); i >= 0 {
		user = user[:i]
	}
	user = strings.TrimSpace(user)
	user = strings.TrimPrefix(user, "+")
	var b strings.Builder
	for i := 0; i < len(user); i++ {
		switch c := user[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '-' || c == '.' || c == '(' || c == ')' || c == ' ':
		default:
			return "", false
		}
	}
	if b.Len() == 0 || b.Len() > maxNumberLen {
		return "", false
	}
	return b.String(), true
}

// ExtractDID picks the dialled number of an inbound INVITE: the user part
// of the Request-URI, or, when that is empty or not a number (a trunk
// that puts its account name there), the user part of To. Each is
// normalised with NormalizeNumber. ok is false when neither is a number.
func ExtractDID(requestUser, toUser string) (did string, ok bool) {
	if n, ok := NormalizeNumber(requestUser); ok {
		return n, true
	}
	return NormalizeNumber(toUser)
}

// Refresher says which side of a transaction refreshes the session
// (RFC 4028 "refresher" parameter).
type Refresher string

const (
	RefresherNone Refresher = ""    // not stated
	RefresherUAC  Refresher = "uac" // the side that sent the request
	RefresherUAS  Refresher = "uas" // the side that answered it
)

// SessionExpires is a parsed Session-Expires header (RFC 4028 §4).
type SessionExpires struct {
	Interval  time.Duration
	Refresher Refresher
}

// String formats the header value: "1800;refresher=uac".
func (s SessionExpires) String() string {
	v := strconv.FormatInt(int64(s.Interval/time.Second), 10)
	if s.Refresher != RefresherNone {
		v += ";refresher=" + string(s.Refresher)
	}
	return v
}

var errEmptyHeader = errors.New("empty value")

// ParseSessionExpires parses a Session-Expires value: delta-seconds, then
// parameters. The refresher parameter is matched case-insensitively; an
// unknown refresher value is an error (RFC 4028 allows only uac and uas),
// other parameters are ignored. A zero interval is an error.
func ParseSessionExpires(v string) (SessionExpires, error) {
	var s SessionExpires
	secs, params, err := deltaSeconds(v)
	if err != nil {
		return s, fmt.Errorf("Session-Expires %q: %w", clip(v), err)
	}
	if secs == 0 {
		return s, fmt.Errorf("Session-Expires %q: zero interval", clip(v))
	}
	s.Interval = time.Duration(secs) * time.Second
	for _, p := range params {
		name, val, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "refresher") {
			continue
		}
		switch r := Refresher(strings.ToLower(strings.TrimSpace(val))); r {
		case RefresherUAC, RefresherUAS:
			s.Refresher = r
		default:
			return s, fmt.Errorf("Session-Expires %q: refresher must be uac or uas", clip(v))
		}
	}
	return s, nil
}

// ParseMinSE parses a Min-SE value (delta-seconds, parameters ignored).
func ParseMinSE(v string) (time.Duration, error) {
	secs, _, err := deltaSeconds(v)
	if err != nil {
		return 0, fmt.Errorf("Min-SE %q: %w", clip(v), err)
	}
	return time.Duration(secs) * time.Second, nil
}

// deltaSeconds splits "<digits>[;param...]" and bounds the number.
func deltaSeconds(v string) (uint64, []string, error) {
	if len(v) > maxHeaderValue {
		return 0, nil, errors.New("value too long")
	}
	parts := strings.Split(v, ";")
	num := strings.TrimSpace(parts[0])
	if num == "" {
		return 0, nil, errEmptyHeader
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return 0, nil, errors.New("not delta-seconds")
		}
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || n > maxDeltaSecond {
		return 0, nil, errors.New("delta-seconds out of range")
	}
	return n, parts[1:], nil
}

// hasOptionTag reports whether a Supported/Require header list (values
// joined by the caller) contains tag.
func hasOptionTag(values []string, tag string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), tag) {
				return true
			}
		}
	}
	return false
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
