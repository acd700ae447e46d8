package emulator

import (
	"sync"
	"time"
)

// The platform's documented limits, enforced on send-message.
const (
	BotLimit    = 60               // messages per BotWindow per bot
	BotWindow   = 60 * time.Second //
	UserSpacing = time.Second      // between two messages to one user
)

// DefaultSlack is how much earlier than the limits allow a message is still
// accepted. A client that spaces its sends exactly (as botapi does) sees its
// requests arrive with a few milliseconds of jitter; the slack keeps that
// jitter from turning into 429s, as it would not on the platform either.
const DefaultSlack = 50 * time.Millisecond

// Clock is the emulator's time source; tests inject one they advance by hand.
type Clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// limiter enforces the limits on accepted messages: at most BotLimit in any
// BotWindow, and UserSpacing between two to one user.
type limiter struct {
	slack time.Duration

	mu    sync.Mutex
	ring  [BotLimit]time.Time // the last BotLimit accepted times, oldest at next
	next  int
	users map[int64]time.Time // last accepted time per user
}

func newLimiter(slack time.Duration) *limiter {
	return &limiter{slack: slack, users: map[int64]time.Time{}}
}

// RateLimitError says which limit a message broke and when it may be sent.
type RateLimitError struct {
	PerUser    bool // the per-user limit, else the per-bot one
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	if e.PerUser {
		return "rate limit: 1 message per second per user"
	}
	return "rate limit: 60 messages per minute per bot"
}

// RetryAfterSeconds is the Retry-After header value: whole seconds, rounded up.
func (e *RateLimitError) RetryAfterSeconds() int {
	return int((e.RetryAfter + time.Second - 1) / time.Second)
}

// take books a message to uid at now, or returns a *RateLimitError without
// booking anything.
func (l *limiter) take(now time.Time, uid int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if last, ok := l.users[uid]; ok {
		if free := last.Add(UserSpacing - l.slack); now.Before(free) {
			return &RateLimitError{PerUser: true, RetryAfter: free.Sub(now)}
		}
	}
	if oldest := l.ring[l.next]; !oldest.IsZero() {
		if free := oldest.Add(BotWindow - l.slack); now.Before(free) {
			return &RateLimitError{RetryAfter: free.Sub(now)}
		}
	}
	l.ring[l.next] = now
	l.next = (l.next + 1) % BotLimit
	l.users[uid] = now
	if len(l.users) > 4096 {
		for u, t := range l.users {
			if now.Sub(t) >= UserSpacing {
				delete(l.users, u)
			}
		}
	}
	return nil
}
