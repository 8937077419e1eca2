// Package csvcell makes text safe to put in a CSV cell that a spreadsheet
// will open: a cell starting with = + - @ (or a tab or carriage return)
// would run as a formula, so it gets a leading quote. Phone numbers in
// E.164 form (+ and digits only) are left as they are so exports import
// again.
package csvcell

import "strings"

// Safe returns v defused against spreadsheet formula injection.
func Safe(v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return v
	}
	if isE164(v) {
		return v
	}
	return "'" + v
}

// isE164 reports whether v is "+" followed by 1 to 15 digits.
func isE164(v string) bool {
	if len(v) < 2 || len(v) > 16 || v[0] != '+' {
		return false
	}
	for _, r := range v[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
