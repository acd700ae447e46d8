package replyqueue_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
)

type stamp struct {
	uid int64
	at  time.Time
}

// checkStamps fails unless the sends keep the platform's limits: at most 60
// in any 60 s, two sends to one user at least a second apart.
func checkStamps(t *testing.T, sends []stamp) {
	t.Helper()
	slices.SortStableFunc(sends, func(a, b stamp) int { return a.at.Compare(b.at) })
	last := map[int64]time.Time{}
	for i, s := range sends {
		if p, ok := last[s.uid]; ok && s.at.Sub(p) < botapi.UserSpacing {
			t.Fatalf("uid %d: two sends %s apart", s.uid, s.at.Sub(p))
		}
		last[s.uid] = s.at
		if i >= botapi.BotLimit && s.at.Sub(sends[i-botapi.BotLimit].at) < botapi.BotWindow {
			t.Fatalf("%d sends within %s", botapi.BotLimit+1, s.at.Sub(sends[i-botapi.BotLimit].at))
		}
	}
}

func wait(t *testing.T, p *replyqueue.Pacer, clock botapi.Clock, uid int64) time.Time {
	t.Helper()
	if err := p.Wait(context.Background(), uid); err != nil {
		t.Fatal(err)
	}
	return clock.Now()
}

// TestPacerLoneUser: a lone user's ordinary exchange (HeavySends replies)
// goes one second apart from a running sender, and one interval apart from
// a sender that has just started, whose bucket is empty. Only then does a
// user count as heavy and wait for a full bucket.
func TestPacerLoneUser(t *testing.T) {
	in := replyqueue.DefaultInterval
	s := time.Second
	tests := []struct {
		name string
		idle time.Duration // between the pacer's start and the first reply
		want []time.Duration
	}{
		// The seventh waits for the bucket to be full again: it held 6,
		// less 6 sends, plus 5 s of gain (4.5 sends).
		{"running sender", time.Minute, []time.Duration{0, s, 2 * s, 3 * s, 4 * s, 5 * s, 5*s + 3*in/2}},
		// The seventh waits for the empty bucket to fill.
		{"new sender", 0, []time.Duration{in, 2 * in, 3 * in, 4 * in, 5 * in, 6 * in, 12 * in}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := queuetest.NewClock()
			p := replyqueue.NewPacer(clock, 0)
			clock.Advance(tt.idle)
			t0 := clock.Now()
			for i, want := range tt.want {
				got := wait(t, p, clock, 7).Sub(t0)
				if d := got - want; d < -time.Millisecond || d > time.Millisecond {
					t.Errorf("reply %d at +%s, want +%s", i+1, got, want)
				}
			}
		})
	}
}

// TestPacerDeadline: a slot past the deadline is refused at once and takes
// nothing.
func TestPacerDeadline(t *testing.T) {
	clock := queuetest.NewClock()
	p := replyqueue.NewPacer(clock, 0)
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(500*time.Millisecond))
	defer cancel()
	before := clock.Now()
	if err := p.Wait(ctx, 1); !errors.Is(err, replyqueue.ErrNoTime) {
		t.Fatalf("Wait = %v, want ErrNoTime", err)
	}
	if clock.Now() != before {
		t.Errorf("a refused Wait slept %s", clock.Now().Sub(before))
	}
	if got := wait(t, p, clock, 2).Sub(before); got != replyqueue.DefaultInterval {
		t.Errorf("next send at +%s, want the first slot, +%s", got, replyqueue.DefaultInterval)
	}
}

// TestPacerRestartSafe: a sender that is stopped and started again (a new
// Pacer, knowing nothing of the last minute) at any moment, as often as it
// likes, never breaks the platform's limits, whatever the load: the sends
// of all its instances together keep 60 in any 60 s and one a second per
// user. The Bot API client's limiter alone (no bucket), started again, lets
// a second burst of 60 follow the first at once.
func TestPacerRestartSafe(t *testing.T) {
	for seed := range uint64(30) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 9))
			clock := queuetest.NewClock()
			var sends []stamp
			end := clock.Now().Add(5 * time.Minute)
			for clock.Now().Before(end) {
				p := replyqueue.NewPacer(clock, 0)
				life := time.Duration(r.IntN(30_000)) * time.Millisecond // 0 to 30 s
				stop := clock.Now().Add(life)
				for clock.Now().Before(stop) {
					uid := int64(r.IntN(3)) // mostly three flooding users...
					if r.IntN(2) == 0 {
						uid = int64(100 + r.IntN(1000)) // ...and many quiet ones
					}
					sends = append(sends, stamp{uid, wait(t, p, clock, uid)})
				}
				if r.IntN(3) == 0 {
					clock.Advance(time.Duration(r.IntN(5000)) * time.Millisecond) // sometimes a pause before the next instance
				}
			}
			checkStamps(t, sends)
		})
	}
	t.Run("client limiter alone", func(t *testing.T) {
		t0 := time.Now()
		var sends []stamp
		for restart := range 2 {
			l := botapi.NewLimiter()
			now := t0.Add(time.Duration(restart) * time.Second)
			for uid := range int64(botapi.BotLimit) {
				if at, ok := l.Slot(now, int64(restart)*1000+uid, now); ok {
					sends = append(sends, stamp{uid, at})
				}
			}
		}
		if len(sends) != 2*botapi.BotLimit {
			t.Fatalf("%d sends, want two bursts of %d", len(sends), botapi.BotLimit)
		}
		// 120 sends within a second: what the bucket prevents.
	})
}

// TestPacerQuietFirst: while a busy user's sends wait for the bucket, quiet
// users who come later are served first, in the order they came, from what
// the bucket holds; the busy user then goes on once the bucket is full.
func TestPacerQuietFirst(t *testing.T) {
	clock := queuetest.NewSimClock()
	p := replyqueue.NewPacer(clock, 0)
	t0 := clock.Now()
	var mu sync.Mutex
	var sends []stamp
	record := func(uid int64) {
		if err := p.Wait(context.Background(), uid); err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		sends = append(sends, stamp{uid, clock.Now()})
		mu.Unlock()
	}
	clock.Go(func() { // user 1 floods for two minutes
		for clock.Now().Before(t0.Add(2 * time.Minute)) {
			record(1)
		}
	})
	arrive := t0.Add(time.Minute)
	clock.Go(func() {
		clock.Sleep(context.Background(), arrive.Sub(t0))
		for uid := int64(100); uid < 110; uid++ {
			clock.Go(func() { record(uid) })
			clock.Sleep(context.Background(), time.Millisecond) // they come in this order
		}
	})
	if !clock.Run(t0.Add(10*time.Minute), 10*time.Second) {
		t.Fatal("the simulation did not finish")
	}
	checkStamps(t, sends)
	var order []int64
	var worst time.Duration
	flood := 0
	for _, s := range sends {
		if s.uid >= 100 {
			order = append(order, s.uid)
			worst = max(worst, s.at.Sub(arrive)-time.Duration(s.uid-100)*time.Millisecond)
		} else if s.at.Before(t0.Add(time.Minute)) {
			flood++
		}
	}
	t.Logf("flooding user: %d sends in its first minute alone; the 10 others' worst wait %s", flood, worst)
	if !slices.IsSorted(order) {
		t.Errorf("quiet users served in the order %v, want the order they came", order)
	}
	// Burst-1 of them at once (the busy user only takes from a full bucket),
	// the others one interval apart.
	if want := time.Duration(10-p.Burst()+1) * replyqueue.DefaultInterval; worst > want {
		t.Errorf("the others' worst wait %s, want at most %s", worst, want)
	}
}
