package sdp

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
)

// Session keeps our o= line for the life of a dialog (RFC 3264 §8): the
// same username and session id throughout, and a version that increments
// by one each time the description we send changes, and only then, so a
// session-refresh re-INVITE repeats the previous body exactly. It covers
// offers and answers alike. Not safe for concurrent use.
type Session struct {
	origin Origin
	last   []byte // the last stamped description, as marshalled
}

// NewSession starts an origin for address addr with a random session id
// (RFC 8866 recommends an NTP timestamp or random number).
func NewSession(username string, addr netip.Addr) *Session {
	id := strconv.FormatUint(rand.Uint64()>>2, 10) // below 2^62: fits every peer's integer type
	return &Session{origin: Origin{
		Username:  orDash(username),
		SessionID: id,
		Version:   1,
		AddrType:  addrTypeOf(addr),
		Address:   addr.String(),
	}}
}

// Origin returns the current origin.
func (s *Session) Origin() Origin { return s.origin }

// SetAddress changes the origin address (e.g. a new public IP); the next
// stamped description counts as changed.
func (s *Session) SetAddress(addr netip.Addr) {
	s.origin.AddrType, s.origin.Address = addrTypeOf(addr), addr.String()
}

// Stamp sets d's origin, incrementing the version first if d differs from
// the previously stamped description. It returns d marshalled and whether
// the version changed.
func (s *Session) Stamp(d *Description) (body []byte, changed bool) {
	d.Origin = s.origin
	body = d.Marshal()
	if s.last != nil && !bytes.Equal(body, s.last) {
		s.origin.Version++
		d.Origin = s.origin
		body = d.Marshal()
		changed = true
	}
	s.last = body
	return body, changed
}

// Unchanged reports whether next describes the same session as prev apart
// from the o= version: the far re-INVITE is a refresh (RFC 4028) and the
// media must not be touched. Some peers bump the version on every
// re-INVITE, others forget to; comparing the content covers both.
func Unchanged(prev, next *Description) bool {
	if prev == nil || next == nil {
		return false
	}
	a, b := *prev, *next
	a.Origin.Version, b.Origin.Version = 0, 0
	return bytes.Equal(a.Marshal(), b.Marshal())
}

// KeepSlots makes offer, a re-offer, keep every m= line of prev, the
// previous description of the session (RFC 3264 §8: m= lines are never
// removed, only disabled with port 0 or reused). Each stream of offer
// takes the first free slot of prev with the same media type, else the
// first free slot (RFC 3264 §8.3.3 lets a slot change its media type);
// slots left over get port-0 copies of prev's lines. A T.38 re-INVITE after
// an answer with "m=audio" and "m=image 0" thus reuses the image slot.
func KeepSlots(offer, prev *Description) {
	if prev == nil || len(prev.Media) == 0 {
		return
	}
	slots := make([]*Media, len(prev.Media))
	var extra []*Media
	for _, m := range offer.Media {
		if i := freeSlot(slots, prev, m); i >= 0 {
			slots[i] = m
		} else {
			extra = append(extra, m)
		}
	}
	for i, m := range slots {
		if m == nil {
			slots[i] = rejected(prev.Media[i])
		}
	}
	offer.Media = append(slots, extra...)
}

func freeSlot(slots []*Media, prev *Description, m *Media) int {
	first := -1
	for i, s := range slots {
		if s != nil {
			continue
		}
		if strings.EqualFold(prev.Media[i].Type, m.Type) {
			return i
		}
		if first < 0 {
			first = i
		}
	}
	return first
}
