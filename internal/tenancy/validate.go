package tenancy

import (
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"faxgate/internal/model"
)

// Field bounds.
const (
	maxEmailLen     = 254
	maxNameLen      = 100
	maxPhoneLen     = 32
	minTenantName   = 2
	maxTenantName   = 100
	maxPageLimit    = 10_000_000
	maxHostLen      = 253
	maxTitleLen     = 100
	maxFooterLen    = 500
	minAPIUserLen   = 3
	maxAPIUserLen   = 64
	phoneSeparators = " -.()"
)

// normEmail lower-cases and trims an email address and checks it is a bare
// address (no display name) of sane length.
func normEmail(v *model.ValidationError, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		v.Add("email", "is required")
	case len(s) > maxEmailLen:
		v.Add("email", fmt.Sprintf("must be at most %d characters", maxEmailLen))
	default:
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || a.Name != "" {
			v.Add("email", "is not a valid email address")
		} else if _, domain, _ := strings.Cut(s, "@"); !validHost(domain) {
			v.Add("email", "has an invalid domain")
		}
	}
	return s
}

// normText trims s and checks its length and that it has no control
// characters; field names the error.
func normText(v *model.ValidationError, field, s string, maxLen int) string {
	s = strings.TrimSpace(s)
	switch {
	case utf8.RuneCountInString(s) > maxLen:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	case !utf8.ValidString(s):
		v.Add(field, "must be valid text")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.Add(field, "must not contain control characters")
	}
	return s
}

// normPhone drops common separators and checks what remains is digits with
// an optional leading +.
func normPhone(v *model.ValidationError, s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(phoneSeparators, r) {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return s
	}
	digits := strings.TrimPrefix(s, "+")
	switch {
	case len(s) > maxPhoneLen:
		v.Add("phone", fmt.Sprintf("must be at most %d characters", maxPhoneLen))
	case digits == "" || strings.Trim(digits, "0123456789") != "":
		v.Add("phone", "may contain only digits, an optional leading + and spaces, dashes, dots or brackets")
	}
	return s
}

// normAPIUsername lower-cases and checks an api username: 3-64 of a-z 0-9 . _ -
// (no @, so it can never equal someone's email).
func normAPIUsername(v *model.ValidationError, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return s
	}
	ok := len(s) >= minAPIUserLen && len(s) <= maxAPIUserLen && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
	}) < 0
	if !ok {
		v.Add("api_username", fmt.Sprintf("must be %d to %d characters of a-z, 0-9, dot, underscore or dash", minAPIUserLen, maxAPIUserLen))
	}
	return s
}

// NormalizeHost lower-cases a host name, drops a port, brackets and a
// trailing dot: "Fax.Example.COM.:8443" -> "fax.example.com".
func NormalizeHost(host string) string {
	host = strings.TrimSpace(host)
	if h, _, ok := splitPort(host); ok {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// splitPort splits "host:port" and "[v6]:port"; a bare IPv6 address has
// more than one colon and no brackets, so it is left alone.
func splitPort(s string) (string, string, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 || strings.Count(s, ":") > 1 && !strings.HasPrefix(s, "[") {
		return s, "", false
	}
	host, port := s[:i], s[i+1:]
	if strings.Trim(port, "0123456789") != "" {
		return s, "", false
	}
	return host, port, true
}

// validHost reports whether s (already normalised) is a DNS host name:
// labels of a-z 0-9 and inner dashes, 1-63 characters, 253 in all, not an
// IP address and not all-numeric at the top level.
func validHost(s string) bool {
	if s == "" || len(s) > maxHostLen {
		return false
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if !validLabel(l) {
			return false
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	return strings.IndexFunc(l, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
	}) < 0
}

// normHost normalises and checks an optional host name field.
func normHost(v *model.ValidationError, field, s string) string {
	s = NormalizeHost(s)
	if s != "" && !validHost(s) {
		v.Add(field, "is not a valid host name (like fax.example.com)")
	}
	return s
}
