package replyqueue

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sociogram-kit/kit/botapi"
)

// DefaultInterval is the Pacer's default spacing between two sends of the
// bot: a little over a second, so that any 60 s holds at most 60 sends
// (botapi.BotLimit per botapi.BotWindow) even when network jitter brings two
// requests closer on arrival than they left, and no user ever gets two
// messages within botapi.UserSpacing.
const DefaultInterval = botapi.BotWindow/botapi.BotLimit + 50*time.Millisecond

// ErrNoTime is returned by Pacer.Wait when the next free slot is after the
// context's deadline.
var ErrNoTime = errors.New("replyqueue: the next send slot is past the deadline")

// Pacer spaces sends by a fixed interval, bot-wide. Unlike the Bot API
// client's limiter, which lets 60 sends go at once and then one a second, a
// Pacer never lets two sends be closer than its interval, and its first slot
// is one interval after it is created. So as long as only one Pacer runs at a
// time (one sender instance: Lambda reserved concurrency 1, Cloud Functions
// max instances 1 with concurrency 1), a sender that is stopped and started
// again still never sends more than 60 in any 60 s: no state needs to
// survive the restart.
type Pacer struct {
	clock    botapi.Clock
	interval time.Duration
	mu       sync.Mutex
	next     time.Time
}

// NewPacer returns a Pacer spacing by interval (DefaultInterval when not
// positive) on clock (the wall clock when nil).
func NewPacer(clock botapi.Clock, interval time.Duration) *Pacer {
	if clock == nil {
		clock = WallClock()
	}
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Pacer{clock: clock, interval: interval, next: clock.Now().Add(interval)}
}

// Wait reserves the next slot and sleeps until it. It fails with ErrNoTime,
// without reserving, when the slot is past ctx's deadline, and with ctx's
// error when ctx ends while it sleeps (the slot is then not given back,
// which only errs on the safe side).
func (p *Pacer) Wait(ctx context.Context) error {
	p.mu.Lock()
	at := p.next
	if now := p.clock.Now(); now.After(at) {
		at = now
	}
	if dl, ok := ctx.Deadline(); ok && at.After(dl) {
		p.mu.Unlock()
		return ErrNoTime
	}
	p.next = at.Add(p.interval)
	p.mu.Unlock()
	return p.clock.Sleep(ctx, at.Sub(p.clock.Now()))
}

// WallClock returns the real clock, as botapi uses by default.
func WallClock() botapi.Clock { return botapi.WallClock() }
