package platform

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// The platform's documented rate limits on send-message.
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

// Clock is a fake's time source; tests inject one they advance by hand.
type Clock interface{ Now() time.Time }

// WallClock is the real time.
type WallClock struct{}

// Now returns time.Now().
func (WallClock) Now() time.Time { return time.Now() }

// Limiter enforces the limits on accepted messages: at most BotLimit in any
// BotWindow, and UserSpacing between two to one user. It is safe for
// concurrent use.
type Limiter struct {
	slack time.Duration

	mu    sync.Mutex
	ring  [BotLimit]time.Time // the last BotLimit accepted times, oldest at next
	next  int
	users map[int64]time.Time // last accepted time per user
}

// NewLimiter returns a Limiter that accepts a message up to slack early.
func NewLimiter(slack time.Duration) *Limiter {
	return &Limiter{slack: slack, users: map[int64]time.Time{}}
}

// Take books a message to uid at now, or returns a 429 *Error (ErrRateLimit,
// naming the limit, with RetryAfter) without booking anything.
func (l *Limiter) Take(now time.Time, uid int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if last, ok := l.users[uid]; ok {
		if free := last.Add(UserSpacing - l.slack); now.Before(free) {
			return &Error{Status: http.StatusTooManyRequests, Err: ErrRateLimit,
				Detail: "1 message per second per user", RetryAfter: free.Sub(now)}
		}
	}
	if oldest := l.ring[l.next]; !oldest.IsZero() {
		if free := oldest.Add(BotWindow - l.slack); now.Before(free) {
			return &Error{Status: http.StatusTooManyRequests, Err: ErrRateLimit,
				Detail: fmt.Sprintf("%d messages per minute per bot", BotLimit), RetryAfter: free.Sub(now)}
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
