package botapi

import (
	"sort"
	"sync"
	"time"
)

// Platform limits the client spaces its sends to.
const (
	BotLimit    = 60               // messages per BotWindow per bot
	BotWindow   = 60 * time.Second //
	UserSpacing = time.Second      // between two messages to one user
)

// Fair sharing of the bot's budget among its users.
const (
	// Headroom is how much of every BotWindow a busy user may not take: a
	// send to a user who already had LightSends sends in the last BotWindow
	// may only go while the window holds fewer than BotLimit-Headroom
	// sends. So however busy some users are, a quiet user's reply finds
	// room at once.
	Headroom = BotLimit / 4
	// LightSends is how many sends a user may have in a BotWindow and still
	// be quiet: those are spaced by UserSpacing only, up to BotLimit.
	LightSends = 3
)

// limiter hands out send times so that no BotWindow holds more than BotLimit
// sends, no user gets two sends closer than UserSpacing, and no user can
// spend the whole bot's budget:
//
//   - A user holds at most one slot ahead: a send to a user whose next slot
//     is still to come is told to ask again then, instead of booking further
//     ahead. A busy user's backlog therefore books its slots one by one as
//     they come, never a run of future slots that later users would queue
//     behind; busy users take turns.
//   - A busy user (LightSends or more sends in the last BotWindow) may not
//     bring any window to more than BotLimit-Headroom sends, so Headroom
//     slots of every window are kept for quiet users; and may not have more
//     than an equal share of those among the busy users of the window, so a
//     flooding user leaves the others their part.
//
// A lone user's ordinary exchange is not slowed: a few replies go one
// UserSpacing apart as before, and a single busy user still gets
// BotLimit-Headroom sends a window. A slot that is booked but not used is
// not given back, which only errs on the safe side. A send whose slot would
// come after its deadline books nothing: it fails at once, and a crowd of
// such sends cannot push every later send past its own deadline.
type limiter struct {
	mu    sync.Mutex
	sends []booking           // booked times of the last BotWindow and ahead, sorted
	users map[int64]time.Time // latest booked time per user
	seen  time.Time           // the latest now asked with: no slot is booked before it
}

type booking struct {
	at  time.Time
	uid int64
}

func newLimiter() *limiter { return &limiter{users: map[int64]time.Time{}} }

// Limiter is the fair limiter a Client spaces its sends with, for a sender
// that paces queued replies itself (package replyqueue's Pacer, which adds a
// restart-safe bound on top). Its methods are safe for concurrent use; the
// times given to them should not go backwards.
type Limiter struct{ l *limiter }

// NewLimiter returns a Limiter that has seen no sends.
func NewLimiter() *Limiter { return &Limiter{newLimiter()} }

// Slot books the earliest time at or after now that a send to uid may go and
// returns it with booked true, unless it is after deadline (the zero time: no
// deadline); booked false means nothing was booked: ask again at the returned
// time. Slot(now, uid, now) books only a send that may go at once.
func (l *Limiter) Slot(now time.Time, uid int64, deadline time.Time) (at time.Time, booked bool) {
	return l.l.slot(now, uid, deadline)
}

// Next is the earliest time at or after now that a send to uid could go,
// booking nothing.
func (l *Limiter) Next(now time.Time, uid int64) time.Time {
	l.l.mu.Lock()
	defer l.l.mu.Unlock()
	now = later(now, l.l.seen)
	if last, ok := l.l.users[uid]; ok {
		if last.After(now) {
			return last.Add(UserSpacing) // its booked send comes first
		}
		now = later(now, last.Add(UserSpacing))
	}
	return l.l.earliest(now, uid)
}

// Sends is how many sends to uid are booked in the BotWindow ending at now;
// a user with LightSends or more is busy and may not take the Headroom.
func (l *Limiter) Sends(now time.Time, uid int64) int {
	l.l.mu.Lock()
	defer l.l.mu.Unlock()
	n := 0
	for _, b := range l.l.sends {
		if b.uid == uid && b.at.After(now.Add(-BotWindow)) && !b.at.After(now) {
			n++
		}
	}
	return n
}

// slot books the earliest time at or after now that a send to uid may go
// and returns it with booked true, unless that is after deadline (the zero
// time: no deadline). booked false means nothing was booked: ask again at
// the returned time, or give up if it is after the deadline.
func (l *limiter) slot(now time.Time, uid int64, deadline time.Time) (at time.Time, booked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now = later(now, l.seen)
	l.seen = now
	l.forget(now)
	last, ok := l.users[uid]
	if ok && last.After(now) {
		return last, false // this user's next send is booked: ask again when it has gone
	}
	start := now
	if ok {
		start = later(now, last.Add(UserSpacing))
	}
	at = l.earliest(start, uid)
	if !deadline.IsZero() && at.After(deadline) {
		return at, false // the send will fail for lack of time: it takes no slot
	}
	i := sort.Search(len(l.sends), func(i int) bool { return l.sends[i].at.After(at) })
	l.sends = append(l.sends, booking{})
	copy(l.sends[i+1:], l.sends[i:])
	l.sends[i] = booking{at: at, uid: uid}
	l.users[uid] = at
	return at, true
}

// earliest is the first time at or after start where a send to uid fits:
// start itself, or the moment a booked send leaves the window.
func (l *limiter) earliest(start time.Time, uid int64) time.Time {
	if l.fits(start, uid) {
		return start
	}
	from := sort.Search(len(l.sends), func(i int) bool { return l.sends[i].at.Add(BotWindow).After(start) })
	for _, b := range l.sends[from:] {
		if t := b.at.Add(BotWindow); l.fits(t, uid) {
			return t
		}
	}
	// Unreachable: once every booked send has left the window, any send fits.
	return l.sends[len(l.sends)-1].at.Add(BotWindow)
}

// fits reports whether a send to uid at t keeps every window of BotWindow
// that contains t within the user's limit: BotLimit for a quiet user; for a
// busy one BotLimit-Headroom in all, and no more than an equal share of that
// among the busy users of the window ending at t.
func (l *limiter) fits(t time.Time, uid int64) bool {
	lo := sort.Search(len(l.sends), func(i int) bool { return l.sends[i].at.After(t.Add(-BotWindow)) })
	hi := sort.Search(len(l.sends), func(i int) bool { return l.sends[i].at.After(t) })
	mine := 0
	for _, b := range l.sends[lo:hi] {
		if b.uid == uid {
			mine++
		}
	}
	limit := BotLimit
	if mine >= LightSends {
		limit = BotLimit - Headroom
	}
	if l.full(t, lo, hi, limit) {
		return false
	}
	if mine < LightSends {
		return true
	}
	counts := map[int64]int{}
	busy := 0
	for _, b := range l.sends[lo:hi] {
		if counts[b.uid]++; counts[b.uid] == LightSends {
			busy++
		}
	}
	return mine < (BotLimit-Headroom)/busy
}

// full reports whether some window [x, x+BotWindow) holding t already holds
// limit sends. Such windows start in (t-BotWindow, t], at l.sends[lo:hi] or
// at t; the fullest of them starts at one of those (moving a window's start
// right up to the next send loses none and may gain some).
func (l *limiter) full(t time.Time, lo, hi, limit int) bool {
	end := lo // first send at or after x+BotWindow
	for i := lo; i <= hi; i++ {
		x := t
		if i < hi {
			x = l.sends[i].at
		}
		for end < len(l.sends) && l.sends[end].at.Before(x.Add(BotWindow)) {
			end++
		}
		first := i // sends[first:] are at or after x
		if i == hi {
			first = sort.Search(len(l.sends), func(k int) bool { return !l.sends[k].at.Before(t) })
		}
		if end-first+1 > limit {
			return true
		}
	}
	return false
}

// forget drops booked sends that can no longer share a window with a send
// at now or later, and users whose last send is far enough in the past not
// to matter.
func (l *limiter) forget(now time.Time) {
	cut := sort.Search(len(l.sends), func(i int) bool { return l.sends[i].at.After(now.Add(-BotWindow)) })
	if cut > 0 {
		l.sends = append(l.sends[:0], l.sends[cut:]...)
	}
	if len(l.users) > 4096 {
		for uid, t := range l.users {
			if now.Sub(t) >= UserSpacing {
				delete(l.users, uid)
			}
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
