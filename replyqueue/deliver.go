package replyqueue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// Deliverer sends queued replies: it decodes each, waits for the Pacer's
// slot for its user and sends it with the Bot API client (whose own retries
// with backoff handle a 429 or 5xx, honouring Retry-After).
type Deliverer struct {
	sender handler.Sender
	pacer  *Pacer
}

// NewDeliverer returns a Deliverer sending through sender (a *botapi.Client)
// at pacer's pace.
func NewDeliverer(sender handler.Sender, pacer *Pacer) *Deliverer {
	if sender == nil || pacer == nil {
		panic("replyqueue: NewDeliverer needs a sender and a pacer")
	}
	return &Deliverer{sender: sender, pacer: pacer}
}

// Pacer returns the Deliverer's Pacer, which senders ask whether a user is
// busy and when the user's next send could go.
func (d *Deliverer) Pacer() *Pacer { return d.pacer }

// Outcome says what a queue should do with a reply after Deliver.
type Outcome int

const (
	// Done: delivered, or possibly delivered (handler.ErrMaybeDelivered,
	// never sent again to avoid a duplicate), or not a reply at all
	// (ErrBadReply, which no retry can fix). Remove it from the queue.
	Done Outcome = iota
	// Retry: not delivered (a Bot API error after the client's retries,
	// or no time left). Leave it queued; the queue redelivers it later and
	// dead-letters it after repeated failures.
	Retry
)

// Deliver sends one queued body. The error says why it was not (or may not
// have been) delivered; Outcome says whether to keep it queued.
func (d *Deliverer) Deliver(ctx context.Context, body []byte) (Outcome, error) {
	return d.DeliverBy(ctx, body, time.Time{})
}

// DeliverBy is Deliver that waits for the user's slot only until by (on the
// Pacer's clock; the zero time: as long as ctx allows), and otherwise
// returns Retry with ErrNoTime; the send itself has ctx's time.
func (d *Deliverer) DeliverBy(ctx context.Context, body []byte, by time.Time) (Outcome, error) {
	uid, msg, err := Decode(body)
	if err != nil {
		return Done, err
	}
	if err := d.pacer.WaitUntil(ctx, uid, by); err != nil {
		return Retry, fmt.Errorf("waiting to send to uid %d: %w", uid, err)
	}
	switch err := d.sender.Send(ctx, uid, msg); {
	case err == nil:
		return Done, nil
	case errors.Is(err, handler.ErrMaybeDelivered):
		return Done, err
	default:
		return Retry, err
	}
}
