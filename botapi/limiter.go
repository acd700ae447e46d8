package botapi

import (
	"sync"
	"time"
)

// Platform limits the client spaces its sends to.
const (
	BotLimit    = 60               // messages per BotWindow per bot
	BotWindow   = 60 * time.Second //
	UserSpacing = time.Second      // between two messages to one user
)

// limiter hands out send times so that no BotWindow holds more than BotLimit
// sends and no user gets two sends closer than UserSpacing. Times are handed
// out in non-decreasing order, so the ring of the last BotLimit times is
// sorted and "the BotLimit-th previous send is at least BotWindow ago" is
// exactly the window rule. A reservation is taken before waiting, so
// concurrent senders queue up in order; a slot that is reserved but not used
// is not given back, which only errs on the safe side. A send whose slot would
// come after its deadline books nothing: it fails at once, and a crowd of such
// sends cannot push every later send past its own deadline.
type limiter struct {
	mu    sync.Mutex
	ring  [BotLimit]time.Time // the last BotLimit reserved times, oldest at next
	next  int
	last  time.Time           // the latest reserved time
	users map[int64]time.Time // last reserved time per user
}

func newLimiter() *limiter { return &limiter{users: map[int64]time.Time{}} }

// reserve returns the earliest time at or after now that a send to uid may go,
// and books it unless it is after deadline (the zero time: no deadline).
func (l *limiter) reserve(now time.Time, uid int64, deadline time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := later(now, l.last)
	if oldest := l.ring[l.next]; !oldest.IsZero() {
		at = later(at, oldest.Add(BotWindow))
	}
	if last, ok := l.users[uid]; ok {
		at = later(at, last.Add(UserSpacing))
	}
	if !deadline.IsZero() && at.After(deadline) {
		return at // the send will fail for lack of time: it takes no slot
	}
	l.ring[l.next] = at
	l.last = at
	l.next = (l.next + 1) % BotLimit
	l.users[uid] = at
	if len(l.users) > 4096 {
		l.prune(now)
	}
	return at
}

// prune forgets users whose last send is far enough in the past not to matter.
func (l *limiter) prune(now time.Time) {
	for uid, t := range l.users {
		if now.Sub(t) >= UserSpacing {
			delete(l.users, uid)
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
