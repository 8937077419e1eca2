package model

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// idEncoding is lowercase base32 without padding: ids are URL- and
// file-name-safe and read aloud without ambiguity.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a new opaque identifier such as "usr_k3j5...": a short type
// prefix and 80 random bits. Ids are random rather than sequential so that
// they reveal nothing about other tenants (counts, creation order).
func NewID(prefix string) string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("model: crypto/rand failed: " + err.Error()) // the OS has no entropy: nothing safe to do
	}
	return prefix + "_" + idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s looks like an id made by NewID with the prefix.
// Handlers use it to answer 404 early for garbage path values.
func ValidID(prefix, s string) bool {
	rest, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(rest) != 16 {
		return false
	}
	for _, c := range rest {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// Id prefixes, one per kind of object.
const (
	PrefixTenant  = "ten"
	PrefixUser    = "usr"
	PrefixAPIKey  = "key"
	PrefixAudit   = "evt"
	PrefixSession = "ses"
)
