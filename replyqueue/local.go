package replyqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// Local defaults.
const (
	DefaultCapacity   = 10000
	DefaultStatsEvery = 10 * time.Second
)

// Errors of Local.Enqueue.
var (
	ErrClosed = errors.New("replyqueue: the queue is closed")
	ErrFull   = errors.New("replyqueue: the queue is full")
)

// Local is an in-process queue for a long-running server (the plain-HTTP
// adapter): Enqueue returns at once, and one goroutine sends the replies
// through the Bot API client, whose limiter paces them (at most 60 in any
// 60 s, one a second per user, a fair share each). It takes the users with
// replies waiting in turn (round-robin), each user's replies in the order
// queued, so one user's backlog does not hold up the others. It is not durable: a
// crash loses what is queued, so Close drains it on shutdown. Use it where
// no goroutine outlives a request is not a rule, never on Lambda or Cloud
// Functions.
type Local struct {
	sender   handler.Sender
	logger   *slog.Logger
	capacity int
	every    time.Duration

	mu     sync.Mutex
	queued map[int64][]Reply // per user, in the order queued
	turns  []int64           // users with replies queued, in turn order; the head is being served
	depth  int
	closed bool
	sent   int64
	failed int64
	wake   chan struct{}
	done   chan struct{}
	stop   context.CancelFunc
	logged time.Time
}

// LocalOption configures a Local.
type LocalOption func(*Local)

// WithCapacity bounds how many replies may wait (default 10000); beyond it
// Enqueue fails with ErrFull and the webhook answers 500.
func WithCapacity(n int) LocalOption { return func(q *Local) { q.capacity = max(n, 1) } }

// WithLogger sets where failures and the queue's depth are logged.
func WithLogger(l *slog.Logger) LocalOption { return func(q *Local) { q.logger = l } }

// WithStatsEvery sets how often, while replies wait, a line with the depth
// and the oldest reply's age is logged (default 10 s).
func WithStatsEvery(d time.Duration) LocalOption { return func(q *Local) { q.every = d } }

// NewLocal returns a Local sending through sender and starts its sending
// goroutine; Close stops it.
func NewLocal(sender handler.Sender, opts ...LocalOption) *Local {
	q := &Local{
		sender: sender, logger: slog.Default(), capacity: DefaultCapacity,
		every: DefaultStatsEvery, queued: map[int64][]Reply{},
		wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	for _, o := range opts {
		o(q)
	}
	ctx, cancel := context.WithCancel(context.Background())
	q.stop = cancel
	go q.run(ctx)
	return q
}

// Enqueue queues r in memory.
func (q *Local) Enqueue(_ context.Context, r Reply) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.closed:
		return ErrClosed
	case q.depth >= q.capacity:
		return ErrFull
	}
	r.Enqueued = time.Now()
	if len(q.queued[r.UID]) == 0 {
		q.turns = append(q.turns, r.UID)
	}
	q.queued[r.UID] = append(q.queued[r.UID], r)
	q.depth++
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return nil
}

// Stats is a snapshot of a queue.
type Stats struct {
	Depth     int           // replies waiting, the one being sent included
	OldestAge time.Duration // how long the oldest waiting reply has waited
	Sent      int64         // delivered (or possibly delivered) so far
	Failed    int64         // given up on so far
}

// Stats returns the queue's current numbers.
func (q *Local) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := Stats{Depth: q.depth, Sent: q.sent, Failed: q.failed}
	for _, uid := range q.turns {
		s.OldestAge = max(s.OldestAge, time.Since(q.queued[uid][0].Enqueued))
	}
	return s
}

// Close stops accepting replies and waits until the queue is drained or ctx
// ends; then it stops sending and reports how many replies were left.
func (q *Local) Close(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	select {
	case <-q.done:
	case <-ctx.Done():
		q.stop()
		<-q.done
	}
	q.logStats(true)
	if n := q.Stats().Depth; n > 0 {
		return fmt.Errorf("replyqueue: %d replies not delivered before shutdown: %w", n, ctx.Err())
	}
	return nil
}

func (q *Local) run(ctx context.Context) {
	defer close(q.done)
	for {
		q.mu.Lock()
		empty, closed := q.depth == 0, q.closed
		var r Reply
		if !empty {
			r = q.queued[q.turns[0]][0]
		}
		q.mu.Unlock()
		switch {
		case empty && closed:
			return
		case empty:
			select {
			case <-q.wake:
			case <-ctx.Done():
				return
			}
			continue
		}
		if ctx.Err() != nil {
			return
		}
		q.send(ctx, r)
		q.logStats(false)
	}
}

// send delivers the first reply of the user whose turn it is and removes
// it, whatever the outcome: the client has already retried, and keeping a
// failed reply would hold up every user behind it. The user's turn then
// passes to the next user. The send has no deadline of its own:
// the client may have to wait up to a minute for its rate-limit slot (60
// sends per sliding 60 s), and its transport bounds each request.
func (q *Local) send(ctx context.Context, r Reply) {
	uid, msg, err := Decode(r.Body)
	if err == nil {
		err = q.sender.Send(ctx, uid, msg)
	}
	if ctx.Err() != nil && err != nil && !errors.Is(err, handler.ErrMaybeDelivered) {
		return // stopped: leave it queued, Close reports it
	}
	q.mu.Lock()
	q.pop()
	if err == nil || errors.Is(err, handler.ErrMaybeDelivered) {
		q.sent++
	} else {
		q.failed++
	}
	q.mu.Unlock()
	switch {
	case errors.Is(err, handler.ErrMaybeDelivered):
		q.logger.Warn("queued reply may have been delivered; not sent again", "uid", r.UID, "error", err.Error())
	case err != nil:
		q.logger.Error("queued reply not delivered", "uid", r.UID, "error", err.Error())
	}
}

// pop removes the served reply (the first of the head user's) and passes
// the turn: the user goes to the back if more of theirs wait. q.mu must be
// held.
func (q *Local) pop() {
	uid := q.turns[0]
	rest := q.queued[uid][1:]
	q.turns = q.turns[1:]
	if len(rest) == 0 {
		delete(q.queued, uid)
	} else {
		q.queued[uid] = rest
		q.turns = append(q.turns, uid)
	}
	q.depth--
}

// logStats logs the queue's numbers at most every q.every while replies
// wait, and always when final.
func (q *Local) logStats(final bool) {
	q.mu.Lock()
	due := final || (q.depth > 0 && time.Since(q.logged) >= q.every)
	if due {
		q.logged = time.Now()
	}
	q.mu.Unlock()
	if !due {
		return
	}
	s := q.Stats()
	q.logger.Info("reply queue", "depth", s.Depth, "oldest_age_ms", s.OldestAge.Milliseconds(),
		"sent", s.Sent, "failed", s.Failed)
}
