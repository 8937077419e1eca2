package tz

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestLoadMatchesTime(t *testing.T) {
	for _, name := range []string{"", "UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"} {
		got, err := Load(name)
		if err != nil {
			t.Fatalf("Load(%q): %v", name, err)
		}
		want, _ := time.LoadLocation(name)
		at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
		if g, w := at.In(got).Format(time.RFC3339), at.In(want).Format(time.RFC3339); g != w {
			t.Errorf("Load(%q): %s, want %s", name, g, w)
		}
		again, _ := Load(name)
		if again != got {
			t.Errorf("Load(%q) twice returned different pointers", name)
		}
	}
}

func TestLoadUnknownNotCached(t *testing.T) {
	if _, err := Load("Nowhere/Atlantis"); err == nil {
		t.Fatal("unknown zone loaded")
	}
	mu.RLock()
	_, ok := cache["Nowhere/Atlantis"]
	mu.RUnlock()
	if ok {
		t.Fatal("failed load was cached")
	}
}

func TestLoadBounded(t *testing.T) {
	// A full cache still answers new names but does not grow.
	names := []string{"Europe/Paris", "Europe/Berlin", "Asia/Tokyo"}
	for i := -14; i <= 12; i++ {
		names = append(names, fmt.Sprintf("Etc/GMT%+d", i))
	}
	mu.Lock()
	saved := cache
	cache = make(map[string]*time.Location)
	for i := 0; len(cache) < MaxEntries; i++ {
		cache[fmt.Sprintf("filler-%d", i)] = time.UTC
	}
	mu.Unlock()
	defer func() { mu.Lock(); cache = saved; mu.Unlock() }()
	for _, n := range names {
		if _, err := Load(n); err != nil {
			t.Fatalf("Load(%q): %v", n, err)
		}
	}
	mu.RLock()
	size := len(cache)
	mu.RUnlock()
	if size != MaxEntries {
		t.Fatalf("cache size %d, want %d", size, MaxEntries)
	}
}

func TestLoadConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if _, err := Load("Pacific/Auckland"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkLoadLocation(b *testing.B) {
	for b.Loop() {
		if _, err := time.LoadLocation("Europe/Paris"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load("Europe/Paris"); err != nil {
			b.Fatal(err)
		}
	}
}
