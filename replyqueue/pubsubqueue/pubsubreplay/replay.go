// Package pubsubreplay moves dead-lettered replies of the Pub/Sub reply
// queue (package pubsubqueue) back to the reply topic, for cmd/replay-dlq.
// It uses the Pub/Sub client library (gRPC), which the Cloud Functions
// themselves do not link: it lives apart from pubsubqueue for that reason.
package pubsubreplay

import (
	"context"
	"fmt"
	"sync"
	"time"

	"cloud.google.com/go/pubsub/v2"
)

// Replay publishes every message waiting on the dead-letter subscription
// dlqSub to topic again, with its ordering key and attributes (its reply_id
// included), acknowledging each once it is published. It stops when no
// message has come for idle, and returns how many it moved.
func Replay(ctx context.Context, c *pubsub.Client, dlqSub, topic string, idle time.Duration) (int, error) {
	pub := c.Publisher(topic)
	pub.EnableMessageOrdering = true
	defer pub.Stop()
	sub := c.Subscriber(dlqSub)
	sub.ReceiveSettings.MaxOutstandingMessages = 1
	sub.ReceiveSettings.NumGoroutines = 1
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu     sync.Mutex
		moved  int
		last   = time.Now()
		failed error
	)
	go func() {
		t := time.NewTicker(idle / 4)
		defer t.Stop()
		for range t.C {
			mu.Lock()
			quiet := time.Since(last) >= idle
			mu.Unlock()
			if quiet || ctx.Err() != nil {
				cancel()
				return
			}
		}
	}()
	err := sub.Receive(ctx, func(ctx context.Context, m *pubsub.Message) {
		_, err := pub.Publish(ctx, &pubsub.Message{Data: m.Data, Attributes: m.Attributes, OrderingKey: m.OrderingKey}).Get(ctx)
		mu.Lock()
		defer mu.Unlock()
		last = time.Now()
		if err != nil {
			pub.ResumePublish(m.OrderingKey)
			failed = fmt.Errorf("pubsub: publishing message %s again: %w", m.ID, err)
			m.Nack()
			cancel()
			return
		}
		m.Ack()
		moved++
	})
	mu.Lock()
	defer mu.Unlock()
	if failed != nil {
		return moved, failed
	}
	if err != nil && ctx.Err() == nil {
		return moved, err
	}
	return moved, nil
}
