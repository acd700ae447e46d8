package sociogramtest

import (
	"sync"
	"time"
)

// Clock is a clock a test moves by hand, for time-dependent handlers: give
// the bot its Now with handler.WithClock(clock.Now) (state expiry, signed
// buttons' expiry, conversation timeouts) and move it with Advance or Set
// instead of sleeping. Its time stands still between moves. Safe for
// concurrent use: the bot reads it while the test moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock standing at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock by d (back if d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
