// Package tz loads IANA time zones through a small process-wide cache.
//
// time.LoadLocation opens and parses the zone file (or the embedded tzdata)
// on every call; faxgate looks up a tenant's zone for every fax header,
// report, e-mail and campaign pass, so the parsed *time.Location is kept.
// Only successful loads are cached and the cache holds at most MaxEntries
// zones (there are about 600 IANA names), so untrusted names cannot grow it
// without bound. A *time.Location is immutable and safe for concurrent use,
// so cached values are shared.
package tz

import (
	"sync"
	"time"
)

// MaxEntries bounds the cache; names beyond it are loaded but not kept.
const MaxEntries = 1024

var (
	mu    sync.RWMutex
	cache = make(map[string]*time.Location)
)

// Load returns the location with the given name, like time.LoadLocation
// ("" and "UTC" are UTC, "Local" is the host's zone).
func Load(name string) (*time.Location, error) {
	mu.RLock()
	loc, ok := cache[name]
	mu.RUnlock()
	if ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	mu.Lock()
	if prev, ok := cache[name]; ok {
		loc = prev
	} else if len(cache) < MaxEntries {
		cache[name] = loc
	}
	mu.Unlock()
	return loc, nil
}
