package botapi

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// book asks for a slot as Client.pace does, coming back when told to, and
// reports the slot and whether it was booked before the deadline.
func book(l *limiter, now time.Time, uid int64, deadline time.Time) (time.Time, bool) {
	for {
		at, booked := l.slot(now, uid, deadline)
		if booked || (!deadline.IsZero() && at.After(deadline)) {
			return at, booked
		}
		now = at
	}
}

// TestLimiterConcurrent reserves from many goroutines for a few users and
// checks both platform rules on the handed-out times.
func TestLimiterConcurrent(t *testing.T) {
	l := newLimiter()
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	byUser := map[int64][]time.Time{}
	var all []time.Time
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 40 {
				uid := int64(r.IntN(20))
				at, _ := book(l, now, uid, time.Time{})
				mu.Lock()
				byUser[uid] = append(byUser[uid], at)
				all = append(all, at)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(all, time.Time.Compare)
	for i := BotLimit; i < len(all); i++ {
		if d := all[i].Sub(all[i-BotLimit]); d < BotWindow {
			t.Fatalf("%d sends within %s", BotLimit+1, d)
		}
	}
	for uid, ts := range byUser {
		slices.SortFunc(ts, time.Time.Compare)
		for i := 1; i < len(ts); i++ {
			if d := ts[i].Sub(ts[i-1]); d < UserSpacing {
				t.Fatalf("user %d: two sends %s apart", uid, d)
			}
		}
	}
}

func TestLimiterForgetsOldUsers(t *testing.T) {
	l := newLimiter()
	now := time.Unix(0, 0)
	for uid := range int64(5000) {
		now = now.Add(time.Second) // one a second: never limited
		if at, ok := l.slot(now, uid, time.Time{}); !ok || !at.Equal(now) {
			t.Fatalf("send %d delayed to %s", uid, at.Sub(now))
		}
	}
	if n := len(l.users); n > 4097 {
		t.Errorf("limiter remembers %d users", n)
	}
}

// TestLimiterDeadlineBooksNothing: after a burst fills the window, sends that
// cannot go before their deadline fail without booking, so once the window
// has passed a steady stream of new users is served again (at the platform's
// rate) instead of every send being pushed past its deadline for good.
func TestLimiterDeadlineBooksNothing(t *testing.T) {
	l := newLimiter()
	t0 := time.Unix(1_700_000_000, 0)
	const deadline = 10 * time.Second
	sent := 0
	for uid := range int64(100) {
		if _, ok := book(l, t0, uid, t0.Add(deadline)); ok {
			sent++
		}
	}
	if sent != BotLimit {
		t.Fatalf("burst: %d sends within the deadline, want %d", sent, BotLimit)
	}
	sent = 0
	for s := 1; s <= 240; s++ { // then two new users a second for four minutes
		now := t0.Add(time.Duration(s) * time.Second)
		for j := range int64(2) {
			if _, ok := book(l, now, 1000+int64(s)*2+j, now.Add(deadline)); ok {
				sent++
			}
		}
	}
	// The window allows 60 a minute: about 240 in four minutes (the burst's
	// 60 still count against the first of them).
	if sent < 3*BotLimit {
		t.Errorf("steady stream after the burst: %d of 480 sends got a slot before their deadline, want at least %d", sent, 3*BotLimit)
	}
}

// TestLimiterExported: Next says when Slot would book, without booking;
// Sends counts a user's sends of the last BotWindow; Slot with the deadline
// now books only what may go at once.
func TestLimiterExported(t *testing.T) {
	l := NewLimiter()
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 3 {
		now := t0.Add(time.Duration(i) * time.Second)
		if next := l.Next(now, 1); !next.Equal(now) {
			t.Fatalf("send %d: Next = +%s, want now", i, next.Sub(t0))
		}
		if _, ok := l.Slot(now, 1, now); !ok {
			t.Fatalf("send %d not booked", i)
		}
	}
	now := t0.Add(2500 * time.Millisecond)
	if next := l.Next(now, 1); !next.Equal(t0.Add(3 * time.Second)) {
		t.Errorf("Next = +%s, want +3s (a second after the last)", next.Sub(t0))
	}
	if at, ok := l.Slot(now, 1, now); ok || !at.Equal(t0.Add(3*time.Second)) {
		t.Errorf("Slot with deadline now = +%s, %v; want nothing booked, +3s", at.Sub(t0), ok)
	}
	if n := l.Sends(now, 1); n != 3 {
		t.Errorf("Sends = %d, want 3", n)
	}
	if n := l.Sends(t0.Add(BotWindow+time.Second), 1); n != 1 {
		t.Errorf("a minute later, Sends = %d, want 1 (the sends at +0s and +1s have left the window)", n)
	}
}
