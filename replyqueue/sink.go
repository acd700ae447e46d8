package replyqueue

import (
	"context"
	"errors"

	"github.com/sociogram-kit/kit/handler"
)

// Queue stores replies durably until a sender delivers them.
type Queue interface {
	// Enqueue returns once r is durably queued (or has failed). Replies of
	// one user enqueued one after the other are delivered in that order.
	Enqueue(ctx context.Context, r Reply) error
}

// Sink is the handler.Sender that queues replies instead of sending them.
type Sink struct{ q Queue }

// NewSink returns a Sink queueing into q.
func NewSink(q Queue) *Sink {
	if q == nil {
		panic("replyqueue: nil Queue")
	}
	return &Sink{q: q}
}

// ErrNotQueued wraps the error of a reply that could not be queued.
var ErrNotQueued = errors.New("reply not queued")

// Send queues msg to uid and returns once it is durably queued. Its ID comes
// from the webhook on ctx (see Middleware).
func (s *Sink) Send(ctx context.Context, uid int64, msg handler.Message) error {
	r, err := NewReply(uid, msg, nextID(ctx))
	if err != nil {
		return err
	}
	if err := s.q.Enqueue(ctx, r); err != nil {
		return &notQueuedError{err}
	}
	return nil
}

// notQueuedError is an Enqueue failure: ErrNotQueued wrapping the queue's
// error. It is Temporary whatever the error inside says (a refused
// connection's *url.Error says false): the queue's outage, throttling or
// permissions are not the reply's fault, so the core keeps the reply in the
// user's outbox for the webhook's redelivery instead of dropping it.
type notQueuedError struct{ err error }

func (e *notQueuedError) Error() string   { return ErrNotQueued.Error() + ": " + e.err.Error() }
func (e *notQueuedError) Unwrap() []error { return []error{ErrNotQueued, e.err} }
func (e *notQueuedError) Temporary() bool { return true }

// Options are the bot options that send replies through q: the Sink as the
// bot's sender and the Middleware that gives replies their IDs. Give them to
// handler.New (or config.Config.NewMux) after any other WithSender.
func Options(q Queue) []handler.Option {
	return []handler.Option{
		handler.WithSender(NewSink(q)),
		func(b *handler.Mux) { b.Use(Middleware) },
	}
}
