package botapi

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

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
				at := l.reserve(now, uid)
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
		if at := l.reserve(now, uid); !at.Equal(now) {
			t.Fatalf("send %d delayed to %s", uid, at.Sub(now))
		}
	}
	if n := len(l.users); n > 4097 {
		t.Errorf("limiter remembers %d users", n)
	}
}
