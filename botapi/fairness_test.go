package botapi

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The fairness tests drive the limiter as Client.SendMessage does, on a
// simulated clock: no real waiting. Each send asks for a slot; a send that is
// told to come back later (its user already holds the next slot) retries
// then; a slot past the deadline fails the send.

type simSend struct {
	uid      int64
	arrive   time.Time
	deadline time.Time
	retry    time.Time // when it asks next
	sentAt   time.Time
	failed   bool
}

type simQueue []*simSend

func (q simQueue) Len() int           { return len(q) }
func (q simQueue) Less(i, j int) bool { return q[i].retry.Before(q[j].retry) }
func (q simQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)        { *q = append(*q, x.(*simSend)) }
func (q *simQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// simulate runs sends through l in time order and returns them done.
func simulate(l *limiter, sends []*simSend) {
	q := simQueue{}
	for _, s := range sends {
		s.retry = s.arrive
		heap.Push(&q, s)
	}
	for q.Len() > 0 {
		s := heap.Pop(&q).(*simSend)
		at, booked := l.slot(s.retry, s.uid, s.deadline)
		switch {
		case booked:
			s.sentAt = at
		case !s.deadline.IsZero() && at.After(s.deadline):
			s.failed = true
		default:
			s.retry = at
			heap.Push(&q, s)
		}
	}
}

// checkLimits fails if the sent ones break a platform limit.
func checkLimits(t *testing.T, sends []*simSend) {
	t.Helper()
	var all []time.Time
	byUser := map[int64][]time.Time{}
	for _, s := range sends {
		if !s.failed {
			all = append(all, s.sentAt)
			byUser[s.uid] = append(byUser[s.uid], s.sentAt)
		}
	}
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

// TestFairShareDirect: one user sends 200 messages, one a second (already
// the whole bot's 60 a minute), each webhook answering one reply within a
// 10 s deadline; 10 other users each send one message while the window is
// full. Each of them gets a reply within 2 s, both when they come one at a
// time and when all 10 come at once, and the limits hold.
func TestFairShareDirect(t *testing.T) {
	for _, together := range []bool{false, true} {
		t.Run(fmt.Sprintf("together=%v", together), func(t *testing.T) {
			t0 := time.Unix(1_700_000_000, 0)
			const deadline = 10 * time.Second
			var sends, others []*simSend
			for i := range 200 {
				at := t0.Add(time.Duration(i) * time.Second)
				sends = append(sends, &simSend{uid: 1, arrive: at, deadline: at.Add(deadline)})
			}
			for i := range 10 {
				at := t0.Add(90*time.Second + time.Duration(i)*7300*time.Millisecond) // spread over the flood
				if together {
					at = t0.Add(120 * time.Second)
				}
				s := &simSend{uid: int64(100 + i), arrive: at, deadline: at.Add(deadline)}
				sends, others = append(sends, s), append(others, s)
			}
			simulate(newLimiter(), sends)
			checkLimits(t, sends)
			var worst time.Duration
			for _, s := range others {
				if s.failed {
					t.Errorf("user %d (arrived +%s): no reply before the deadline", s.uid, s.arrive.Sub(t0))
					continue
				}
				worst = max(worst, s.sentAt.Sub(s.arrive))
			}
			heavySent := 0
			for _, s := range sends[:200] {
				if !s.failed {
					heavySent++
				}
			}
			t.Logf("other users' worst reply latency %s; the flooding user got %d of 200 replies out in %s",
				worst, heavySent, sends[199].arrive.Sub(t0)+deadline)
			if worst > 2*time.Second {
				t.Errorf("another user's reply waited %s, want at most 2s", worst)
			}
		})
	}
}

// TestFairShareBusyUsers: two busy users, one flooding at one a second and
// one writing every four seconds (less than half the busy share), take turns: the second is not starved by
// the first's backlog, and the quiet headroom still serves a newcomer at once.
func TestFairShareBusyUsers(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	const deadline = 10 * time.Second
	var sends, second []*simSend
	for i := range 300 {
		at := t0.Add(time.Duration(i) * time.Second)
		sends = append(sends, &simSend{uid: 1, arrive: at, deadline: at.Add(deadline)})
		if i%4 == 0 {
			s := &simSend{uid: 2, arrive: at.Add(300 * time.Millisecond), deadline: at.Add(300*time.Millisecond + deadline)}
			sends, second = append(sends, s), append(second, s)
		}
	}
	newcomer := &simSend{uid: 3, arrive: t0.Add(200 * time.Second), deadline: t0.Add(200*time.Second + deadline)}
	sends = append(sends, newcomer)
	simulate(newLimiter(), sends)
	checkLimits(t, sends)
	var worst time.Duration
	failed := 0
	for _, s := range second {
		if s.failed {
			failed++
			continue
		}
		worst = max(worst, s.sentAt.Sub(s.arrive))
	}
	t.Logf("the every-4-s user: %d of %d failed, worst latency %s; the newcomer waited %s", failed, len(second), worst, newcomer.sentAt.Sub(newcomer.arrive))
	if failed > 0 || worst > 5*time.Second {
		t.Errorf("the every-4-s user: %d replies failed, worst latency %s; want none failed and at most 5s", failed, worst)
	}
	if newcomer.failed || newcomer.sentAt.Sub(newcomer.arrive) > time.Second {
		t.Errorf("the newcomer waited %s (failed %v), want at most 1s", newcomer.sentAt.Sub(newcomer.arrive), newcomer.failed)
	}
}

// TestQuietBotUnchanged: what a quiet bot gets is as before: a lone user's
// few replies go one UserSpacing apart from the first at once, and a burst
// of 60 different users goes at once.
func TestQuietBotUnchanged(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	l := newLimiter()
	for i := range 5 {
		if at, ok := book(l, t0, 7, time.Time{}); !ok || !at.Equal(t0.Add(time.Duration(i)*UserSpacing)) {
			t.Errorf("reply %d of a lone user at +%s, want +%ds", i+1, at.Sub(t0), i)
		}
	}
	l = newLimiter()
	for uid := range int64(BotLimit) {
		if at, ok := l.slot(t0, 100+uid, time.Time{}); !ok || !at.Equal(t0) {
			t.Fatalf("burst: user %d at +%s, want at once", uid, at.Sub(t0))
		}
	}
	if at, _ := l.slot(t0, 999, time.Time{}); !at.Equal(t0.Add(BotWindow)) {
		t.Errorf("the 61st send at +%s, want +%s", at.Sub(t0), BotWindow)
	}
}

// TestLimitsHoldUnderRandomLoad: whatever the mix of users, bursts and
// deadlines, the handed-out slots keep both platform limits.
func TestLimitsHoldUnderRandomLoad(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 2))
		t0 := time.Unix(1_700_000_000, 0)
		var sends []*simSend
		for range 600 {
			at := t0.Add(time.Duration(r.IntN(300_000)) * time.Millisecond)
			s := &simSend{uid: int64(r.IntN(1 + r.IntN(30))), arrive: at}
			if r.IntN(4) > 0 {
				s.deadline = at.Add(time.Duration(1+r.IntN(20)) * time.Second)
			}
			sends = append(sends, s)
		}
		simulate(newLimiter(), sends)
		checkLimits(t, sends)
	}
}
