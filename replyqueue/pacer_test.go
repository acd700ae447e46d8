package replyqueue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
)

// TestPacer: slots are one interval apart, the first one interval after the
// start, so a restarted pacer keeps the spacing; a slot past the deadline is
// refused without being taken.
func TestPacer(t *testing.T) {
	clock := queuetest.NewClock()
	start := clock.Now()
	p := replyqueue.NewPacer(clock, time.Second)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if err := p.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if got := clock.Now().Sub(start); got != time.Duration(i)*time.Second {
			t.Errorf("slot %d at %s, want %ds", i, got, i)
		}
	}
	clock.Advance(10 * time.Second) // idle: the next slot is now
	before := clock.Now()
	p.Wait(ctx)
	if clock.Now() != before {
		t.Errorf("after idling, waited %s", clock.Now().Sub(before))
	}
	dctx, cancel := context.WithDeadline(ctx, clock.Now().Add(500*time.Millisecond))
	defer cancel()
	if err := p.Wait(dctx); !errors.Is(err, replyqueue.ErrNoTime) {
		t.Errorf("Wait with the slot past the deadline = %v, want ErrNoTime", err)
	}
	p.Wait(ctx)
	if got := clock.Now().Sub(before); got != time.Second {
		t.Errorf("a refused slot was taken: next send %s after the last, want 1s", got)
	}
	if replyqueue.DefaultInterval*60 < time.Minute {
		t.Errorf("DefaultInterval %s lets more than 60 sends into a minute", replyqueue.DefaultInterval)
	}
}
