package sip

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestRegister registers A at B (our own UA as a digest-protected
// registrar) with a 4 s lifetime: A refreshes every 2 s and unregisters
// when its context ends.
func TestRegister(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bindings []Binding
	b := startUA(t, "registrar", Config{
		InboundAuth: &ServerAuth{Realm: "faxgate.test", Lookup: lookup},
		OnRegister: func(bd Binding) {
			mu.Lock()
			bindings = append(bindings, bd)
			mu.Unlock()
		},
	})
	a := startUA(t, "A", Config{})
	// Refreshes go out at about 0, 2 and 4 s; the context ends between the
	// third and the fourth.
	ctx, cancel := context.WithTimeout(context.Background(), 5800*time.Millisecond)
	defer cancel()
	var states []RegState
	err := a.Register(ctx, Registration{
		Registrar: fmt.Sprintf("127.0.0.1:%d", b.Port()), User: "alice",
		Auth: Auth{User: "alice", Pass: "secret"}, Expires: 4 * time.Second,
		OnState: func(s RegState) { states = append(states, s) },
	})
	if err != context.DeadlineExceeded {
		t.Fatalf("Register returned %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(states) < 3 || len(bindings) < 4 {
		t.Fatalf("%d states, %d bindings; want refreshes every 2 s for 5.8 s", len(states), len(bindings))
	}
	for _, s := range states {
		if !s.Registered || s.Status != 200 || s.Expires != 4*time.Second || s.Next.Sub(s.At) != 2*time.Second {
			t.Errorf("state %+v", s)
		}
	}
	last := bindings[len(bindings)-1]
	if last.Expires != 0 || last.User != "alice" || bindings[0].Expires != 4*time.Second {
		t.Errorf("bindings: first %+v, last %+v (want the unregister last)", bindings[0], last)
	}
}

// TestRegisterBackoff: a registrar that refuses (405 here) is retried
// with a growing delay, and the states say why.
func TestRegisterBackoff(t *testing.T) {
	t.Parallel()
	b := startUA(t, "no-registrar", Config{})
	a := startUA(t, "A", Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var states []RegState
	_ = a.Register(ctx, Registration{
		Registrar: fmt.Sprintf("127.0.0.1:%d", b.Port()), User: "alice",
		RetryMin: 100 * time.Millisecond, RetryMax: 400 * time.Millisecond,
		OnState: func(s RegState) { states = append(states, s) },
	})
	if len(states) < 3 {
		t.Fatalf("%d attempts in 1.5 s", len(states))
	}
	for i, s := range states {
		if s.Registered || s.Status != 405 || s.Err == nil {
			t.Errorf("attempt %d: %+v", i, s)
		}
		if wait := s.Next.Sub(s.At); wait > 400*time.Millisecond {
			t.Errorf("attempt %d waits %v, above RetryMax", i, wait)
		}
	}
}

// TestRegisterOutboundProxy: with an outbound proxy the REGISTERs go to
// the proxy (here our UA as the registrar) while the Request-URI and To
// name the carrier, whose name does not even resolve.
func TestRegisterOutboundProxy(t *testing.T) {
	t.Parallel()
	got := make(chan Binding, 4)
	proxy := startUA(t, "proxy", Config{
		InboundAuth: &ServerAuth{Realm: "faxgate.test", Lookup: lookup},
		OnRegister: func(bd Binding) {
			select {
			case got <- bd:
			default:
			}
		},
	})
	a := startUA(t, "A", Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	states := make(chan RegState, 4)
	done := make(chan error, 1)
	go func() {
		done <- a.Register(ctx, Registration{
			Registrar: "carrier.invalid:5060", OutboundProxy: fmt.Sprintf("127.0.0.1:%d", proxy.Port()),
			User: "alice", Auth: Auth{User: "alice", Pass: "secret"}, Expires: time.Hour,
			OnState: func(s RegState) {
				select {
				case states <- s:
				default:
				}
			},
		})
	}()
	select {
	case s := <-states:
		if !s.Registered || s.Status != 200 {
			t.Errorf("registration through the proxy: %+v", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no registration outcome within 10 s")
	}
	select {
	case b := <-got:
		if b.User != "alice" || b.Expires != time.Hour {
			t.Errorf("binding at the proxy: %+v", b)
		}
	default:
		t.Error("the proxy saw no REGISTER")
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Register returned %v", err)
	}
	select {
	case b := <-got:
		if b.Expires != 0 {
			t.Errorf("the unregister at the proxy: %+v", b)
		}
	case <-time.After(5 * time.Second):
		t.Error("the unregister did not go through the proxy")
	}
}
