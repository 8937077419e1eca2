// Package phone turns what people type into E.164 numbers (with a tenant's
// default country for numbers without a leading +) and applies trunks' dial
// rules: which numbers a trunk may dial and how a number is rewritten into
// what the trunk dials.
//
// Parsing and validation use libphonenumber's metadata (through
// github.com/nyaruka/phonenumbers): a number must be valid for its country,
// not merely look like digits, so typos are caught at submission time
// instead of becoming a failed call.
//
// # Dial-rule patterns
//
// Allow and deny patterns are matched against the whole E.164 number
// ("+12025550123"). Two syntaxes:
//
//   - a glob (the default): digits and '+' match themselves, 'X' any digit,
//     'Z' a digit 1-9, 'N' a digit 2-9, '[1-5]' or '[135]' a digit of the
//     class, and '*' any run of digits (also none). "+1*" is every
//     NANP number, "+1900*" the US premium-rate range, "+44XXXXXXXXXX"
//     UK numbers with ten national digits. The leading '+' may be left out
//     ("1900*" is "+1900*").
//   - a regular expression (RE2 syntax) when the pattern starts with '^'.
//     It is anchored at both ends whether or not it ends with '$':
//     "^\+1(212|646)\d{7}" is Manhattan.
//
// Deny wins over allow; an empty allow list allows every number.
// Rewrites are tried in order: the first whose Strip is a prefix of the
// number replaces it by Add ("+1" -> "1", "+" -> "011"); with no match the
// number is dialled in E.164 as is.
package phone

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// MaxInputLen bounds what Parse accepts: no number is longer, whatever its
// formatting.
const MaxInputLen = 40

// Number is a parsed, valid phone number.
type Number struct {
	E164          string // "+12025550123"
	Region        string // ISO 3166 country of the number ("US"); "001" for non-geographic numbers
	National      string // national format ("(202) 555-0123")
	International string // international format ("+1 202-555-0123")
}

// Error says why a text is not a valid phone number.
type Error struct {
	Input  string
	Region string // the default region used ("" when the input started with +)
	Reason string // "" for the generic message
}

func (e *Error) Error() string {
	msg := "not a valid phone number"
	if e.Region != "" {
		msg += " for " + e.Region
	}
	msg += ": " + e.Input
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return msg
}

// ValidRegion reports whether region is an ISO 3166 country code
// libphonenumber knows ("US", "GB", ...; upper case).
func ValidRegion(region string) bool {
	return len(region) == 2 && region == strings.ToUpper(region) && phonenumbers.GetSupportedRegions()[region]
}

// Parse reads input (any usual formatting: spaces, dashes, dots, brackets;
// a leading + or an international dialling prefix such as 00 or 011) as a
// number of defaultRegion unless it says otherwise, and returns it if it is
// a valid number. Errors are *Error with a message fit for people:
// "not a valid phone number for US: 555".
func Parse(input, defaultRegion string) (Number, error) {
	in := strings.TrimSpace(input)
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))
	fail := func(reason string) (Number, error) {
		r := region
		if strings.HasPrefix(in, "+") {
			r = ""
		}
		return Number{}, &Error{Input: in, Region: r, Reason: reason}
	}
	switch {
	case in == "":
		return Number{}, &Error{Input: in, Reason: "empty"}
	case len(in) > MaxInputLen:
		return Number{}, &Error{Input: in[:MaxInputLen] + "...", Reason: "too long"}
	case !strings.HasPrefix(in, "+") && !ValidRegion(region):
		return Number{}, &Error{Input: in, Reason: fmt.Sprintf("unknown default country %q", defaultRegion)}
	}
	if bad := strings.IndexFunc(in, func(r rune) bool { return !strings.ContainsRune("0123456789+-. ()/", r) }); bad >= 0 {
		return fail(fmt.Sprintf("unexpected character %q", in[bad:bad+1]))
	}
	if region == "" {
		region = "ZZ" // unknown: only +-prefixed numbers parse
	}
	num, err := phonenumbers.Parse(in, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return fail("")
	}
	return Number{
		E164:          phonenumbers.Format(num, phonenumbers.E164),
		Region:        phonenumbers.GetRegionCodeForNumber(num),
		National:      phonenumbers.Format(num, phonenumbers.NATIONAL),
		International: phonenumbers.Format(num, phonenumbers.INTERNATIONAL),
	}, nil
}

// Normalize returns input as E.164, or Parse's error.
func Normalize(input, defaultRegion string) (string, error) {
	n, err := Parse(input, defaultRegion)
	return n.E164, err
}

// FormatInternational formats an E.164 number for people ("+1 202-555-0123");
// text that does not parse is returned unchanged.
func FormatInternational(e164 string) string {
	num, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}
