package replyqueue

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/sociogram-kit/kit/botapi"
)

// DefaultInterval is how often the Pacer's bucket gains a send (54 a
// minute); with DefaultInterval the bucket holds at most 6 (see Pacer).
const DefaultInterval = botapi.BotWindow / 54

// HeavySends is how many sends a user may have had in the last
// botapi.BotWindow and still take a send from a bucket that is not full:
// more than a lone user's ordinary exchange.
const HeavySends = 2 * botapi.LightSends

// ErrNoTime is returned by Pacer.Wait when the next free slot is after the
// context's deadline.
var ErrNoTime = errors.New("replyqueue: the next send slot is past the deadline")

// Pacer hands out the send times of a sender of queued replies: the Bot API
// client's fair limiter (botapi.Limiter: one send a second per user, 60 in
// any 60 s, and a busy user, with botapi.LightSends or more sends in the last
// minute, never takes the botapi.Headroom kept for quiet users) under a
// bucket that keeps the pace safe across sender restarts:
//
//   - The bucket gains one send every interval (DefaultInterval: 54 a
//     minute) up to Burst sends (6), where Burst plus a minute's gain is the
//     platform's 60. A send takes one. So any 60 s holds at most Burst plus
//     60 s of gain: 60 sends.
//   - A new Pacer starts with an empty bucket: its first send is one
//     interval (more than a second) after it starts. A sender that is
//     stopped and started again (a new Lambda or Cloud Functions instance,
//     which knows nothing of its predecessor's last minute) therefore only
//     ever has fewer sends to spend than one that kept running: however
//     often it restarts, no 60 s holds more than 60 sends of the bot and no
//     user gets two within a second, with no state shared between instances,
//     as long as only one instance runs at a time.
//   - A user who has had HeavySends (6) or more sends in the last minute
//     may only take a send from a full bucket, so a flood leaves the bucket
//     to the others: after a flood by one user, Burst-1 other users are
//     served at once and the rest one interval apart. A lone user's ordinary
//     exchange (fewer sends) takes what is there: one a second from a
//     running sender, one an interval apart from one that has just started.
//   - Concurrent waiters are served in the order they came, quiet ones
//     before busy ones (the Pub/Sub sender holds many pushes at once).
//
// What it costs against the client's limiter alone (which lets 60 sends go
// at once, then one a second): a burst of many users gets Burst at once and
// then 54 a minute, and a sender that has just started sends one interval
// apart until its bucket fills.
type Pacer struct {
	clock    botapi.Clock
	interval time.Duration
	burst    float64
	lim      *botapi.Limiter

	mu      sync.Mutex
	level   float64   // sends in the bucket at updated
	updated time.Time // never goes backwards
	waiting []*waiter // in the order they came
	tickets int64
}

type waiter struct {
	uid    int64
	ticket int64
}

// NewPacer returns a Pacer on clock (the wall clock when nil) whose bucket
// gains a send every interval (DefaultInterval when not positive; at least
// botapi.BotWindow/(botapi.BotLimit-1), so that it can hold one) and holds
// botapi.BotLimit less a minute's gain. Its bucket starts empty.
func NewPacer(clock botapi.Clock, interval time.Duration) *Pacer {
	if clock == nil {
		clock = WallClock()
	}
	if interval <= 0 {
		interval = DefaultInterval
	}
	interval = max(interval, botapi.BotWindow/(botapi.BotLimit-1)+1)
	// A window gains BotWindow/interval sends; the bucket holds the rest of
	// BotLimit, whole (DefaultInterval's nanosecond rounding aside).
	gain := float64(botapi.BotWindow) / float64(interval)
	return &Pacer{clock: clock, interval: interval, burst: math.Floor(float64(botapi.BotLimit) - gain + 1e-6),
		lim: botapi.NewLimiter(), updated: clock.Now()}
}

// Clock returns the clock the Pacer reads.
func (p *Pacer) Clock() botapi.Clock { return p.clock }

// Burst is how many sends the Pacer's bucket holds.
func (p *Pacer) Burst() int { return int(p.burst) }

// Wait waits until a send to uid may go and takes it. It fails with ErrNoTime,
// taking nothing, when that is past ctx's deadline, and with ctx's error when
// ctx ends while it waits.
func (p *Pacer) Wait(ctx context.Context, uid int64) error {
	return p.WaitUntil(ctx, uid, time.Time{})
}

// WaitUntil is Wait that also gives up, with ErrNoTime, when the slot is
// after by (on the Pacer's clock; the zero time: no limit but ctx's).
func (p *Pacer) WaitUntil(ctx context.Context, uid int64, by time.Time) error {
	p.mu.Lock()
	p.tickets++
	w := &waiter{uid: uid, ticket: p.tickets}
	p.waiting = append(p.waiting, w)
	p.mu.Unlock()
	defer p.leave(w)
	dl, hasDeadline := ctx.Deadline()
	for {
		now := p.clock.Now()
		at, ok := p.take(now, w)
		switch {
		case ok:
			return nil
		case hasDeadline && at.After(dl), !by.IsZero() && at.After(by):
			return ErrNoTime
		}
		if err := p.clock.Sleep(ctx, at.Sub(now)); err != nil {
			return err
		}
	}
}

// Busy reports whether uid is busy now: botapi.LightSends or more sends in
// the last botapi.BotWindow.
func (p *Pacer) Busy(uid int64) bool {
	return p.lim.Sends(p.clock.Now(), uid) >= botapi.LightSends
}

// Delay is how long until a send to uid could go if no one else sent
// first; it takes nothing.
func (p *Pacer) Delay(uid int64) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := later(p.clock.Now(), p.updated)
	need := 1.0
	if p.lim.Sends(now, uid) >= HeavySends {
		need = p.burst
	}
	return later(p.refilled(now, need), p.lim.Next(now, uid)).Sub(p.clock.Now())
}

func (p *Pacer) leave(w *waiter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, o := range p.waiting {
		if o == w {
			p.waiting = append(p.waiting[:i], p.waiting[i+1:]...)
			return
		}
	}
}

// take takes a send for w at now if the bucket and the limiter allow it, and
// the bucket still holds enough for the waiters ahead of w that could send
// now; otherwise it reports when to ask again.
func (p *Pacer) take(now time.Time, w *waiter) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now = later(now, p.updated)
	p.level = p.levelAt(now)
	p.updated = now
	sends := p.lim.Sends(now, w.uid)
	busy := sends >= botapi.LightSends
	need := 1.0
	if sends >= HeavySends {
		need = p.burst
	}
	for _, o := range p.waiting {
		if o.ticket >= w.ticket && !busy {
			break
		}
		if o == w || !p.lim.Next(now, o.uid).Equal(now) {
			continue // not ahead, or cannot send now anyway
		}
		switch ob := p.lim.Sends(now, o.uid) >= botapi.LightSends; {
		case !ob && busy:
			need = math.Inf(1) // a quiet user waits: it goes first
		case ob == busy && o.ticket < w.ticket:
			need++ // one of the same kind came first
		}
	}
	if math.IsInf(need, 1) {
		return now.Add(p.interval), false // ask again once the quiet one has gone
	}
	if p.level < need {
		return p.refilled(now, need), false
	}
	at, booked := p.lim.Slot(now, w.uid, now)
	if !booked {
		return at, false
	}
	p.level--
	return now, true
}

// levelAt is the bucket's level at t (not before updated).
func (p *Pacer) levelAt(t time.Time) float64 {
	return min(p.burst, p.level+float64(t.Sub(p.updated))/float64(p.interval))
}

// refilled is the first time at or after now when the bucket holds need
// (need at most burst), if nothing is taken meanwhile.
func (p *Pacer) refilled(now time.Time, need float64) time.Time {
	lvl := p.levelAt(now)
	if lvl >= need {
		return now
	}
	return now.Add(time.Duration(math.Ceil((need - lvl) * float64(p.interval))))
}

// WallClock returns the real clock, as botapi uses by default.
func WallClock() botapi.Clock { return botapi.WallClock() }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
