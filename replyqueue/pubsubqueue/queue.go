package pubsubqueue

import (
	"context"
	"fmt"

	"cloud.google.com/go/pubsub/v2"

	"github.com/sociogram-kit/kit/replyqueue"
)

// AttrReplyID is the message attribute carrying the reply's ID.
const AttrReplyID = "reply_id"

// Queue publishes replies to a topic. It implements replyqueue.Queue.
type Queue struct{ pub *pubsub.Publisher }

// New returns the Queue publishing through pub, which it switches to
// ordered publishing. No network call is made.
func New(pub *pubsub.Publisher) *Queue {
	pub.EnableMessageOrdering = true
	return &Queue{pub: pub}
}

// Enqueue publishes r and returns once Pub/Sub has stored it.
func (q *Queue) Enqueue(ctx context.Context, r replyqueue.Reply) error {
	key := r.GroupKey()
	res := q.pub.Publish(ctx, &pubsub.Message{Data: r.Body, OrderingKey: key, Attributes: map[string]string{AttrReplyID: r.ID}})
	if _, err := res.Get(ctx); err != nil {
		// A failed ordered publish pauses the key; the webhook answers
		// 500 and a redelivery may publish again.
		q.pub.ResumePublish(key)
		return fmt.Errorf("pubsub: %w", err)
	}
	return nil
}
