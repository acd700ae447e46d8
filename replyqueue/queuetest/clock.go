package queuetest

import (
	"context"
	"sync"
	"time"
)

// Clock is a botapi.Clock whose Sleep advances its time at once instead of
// waiting, so paced sending runs at full speed in tests. Meant for one
// sleeper at a time (a sender); concurrent sleepers each advance it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock starting at the real time, so that a real
// deadline given to the code under test binds as it would in production.
func NewClock() *Clock { return &Clock{now: time.Now()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleep advances the clock by d, or fails with ctx's error if it is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}
