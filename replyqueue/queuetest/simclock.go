package queuetest

import (
	"context"
	"sort"
	"sync"
	"time"
)

// SimClock is a botapi.Clock for code that sleeps in several goroutines at
// once (Clock suits one sleeper only): its time moves only when the test
// moves it, and each Sleep returns once the clock has reached its wake time.
// A test drives it by waiting until every goroutine it started is either
// done or asleep (Sleepers), then advancing to the earliest wake time
// (NextWake) or to its own next event.
//
// Go and Run do that for goroutines that sleep only on the clock (or run
// to their end without blocking on anything else for long).
type SimClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers []*sleeper
	running  int           // goroutines started with Go and not returned
	changed  chan struct{} // closed and replaced whenever sleepers or running change
}

type sleeper struct {
	wake time.Time
	done chan struct{}
}

// NewSimClock returns a SimClock starting at the real time.
func NewSimClock() *SimClock {
	return &SimClock{now: time.Now(), changed: make(chan struct{})}
}

// Now returns the clock's time.
func (c *SimClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep returns once the clock has been advanced by d, or with ctx's error
// if ctx ends first. A d that is not positive returns at once.
func (c *SimClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	s := &sleeper{wake: c.now.Add(d), done: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.signal()
	c.mu.Unlock()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		for i, o := range c.sleepers {
			if o == s {
				c.sleepers = append(c.sleepers[:i], c.sleepers[i+1:]...)
				c.signal()
				break
			}
		}
		c.mu.Unlock()
		return ctx.Err()
	}
}

// signal wakes whoever waits for a change of the sleepers; c.mu is held.
func (c *SimClock) signal() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Sleepers returns how many goroutines are asleep, and a channel closed the
// next time that changes.
func (c *SimClock) Sleepers() (int, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sleepers), c.changed
}

// NextWake returns the earliest wake time of the sleepers, if any.
func (c *SimClock) NextWake() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sleepers) == 0 {
		return time.Time{}, false
	}
	first := c.sleepers[0].wake
	for _, s := range c.sleepers[1:] {
		if s.wake.Before(first) {
			first = s.wake
		}
	}
	return first, true
}

// AdvanceTo moves the clock to t (never back) and wakes the sleepers whose
// time has come, earliest first.
func (c *SimClock) AdvanceTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	sort.SliceStable(c.sleepers, func(i, j int) bool { return c.sleepers[i].wake.Before(c.sleepers[j].wake) })
	n := 0
	for n < len(c.sleepers) && !c.sleepers[n].wake.After(c.now) {
		close(c.sleepers[n].done)
		n++
	}
	if n > 0 {
		c.sleepers = append(c.sleepers[:0], c.sleepers[n:]...)
		c.signal()
	}
}

// Go runs f in a goroutine that Run waits for.
func (c *SimClock) Go(f func()) {
	c.mu.Lock()
	c.running++
	c.signal()
	c.mu.Unlock()
	go func() {
		defer func() {
			c.mu.Lock()
			c.running--
			c.signal()
			c.mu.Unlock()
		}()
		f()
	}()
}

// Run drives the clock until every goroutine started with Go has returned:
// whenever all of them are asleep on the clock, it advances the clock to the
// earliest wake time. It fails (returns false) if they are neither asleep
// nor done for stuck of real time, or the clock would pass until.
func (c *SimClock) Run(until time.Time, stuck time.Duration) bool {
	for {
		c.mu.Lock()
		running, asleep, changed := c.running, len(c.sleepers), c.changed
		c.mu.Unlock()
		if running == 0 {
			return true
		}
		if asleep >= running {
			wake, _ := c.NextWake()
			if wake.After(until) {
				return false
			}
			c.AdvanceTo(wake)
			continue
		}
		select {
		case <-changed:
		case <-time.After(stuck):
			return false
		}
	}
}
