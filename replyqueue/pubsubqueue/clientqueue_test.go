package pubsubqueue_test

import (
	"context"
	"fmt"

	"cloud.google.com/go/pubsub/v2"

	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue"
)

// clientQueue publishes replies as pubsubqueue.Queue does (ordering key
// GroupKey, attribute reply_id, returning once stored), but through the
// client library, for the tests of the sender on pstest, which speaks gRPC
// only. The Queue itself (REST) is tested against the emulator
// (publish_test.go).
type clientQueue struct{ pub *pubsub.Publisher }

func newClientQueue(pub *pubsub.Publisher) *clientQueue {
	pub.EnableMessageOrdering = true
	return &clientQueue{pub: pub}
}

func (q *clientQueue) Enqueue(ctx context.Context, r replyqueue.Reply) error {
	key := r.GroupKey()
	res := q.pub.Publish(ctx, &pubsub.Message{Data: r.Body, OrderingKey: key, Attributes: map[string]string{pubsubqueue.AttrReplyID: r.ID}})
	if _, err := res.Get(ctx); err != nil {
		q.pub.ResumePublish(key)
		return fmt.Errorf("pubsub: %w", err)
	}
	return nil
}
