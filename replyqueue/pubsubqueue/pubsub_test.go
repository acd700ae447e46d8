package pubsubqueue_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
)

const (
	project = "projects/p"
	topic   = project + "/topics/replies"
	dlTopic = project + "/topics/replies-dead-letter"
	subName = project + "/subscriptions/replies-push"
)

// fake starts the client library's own in-memory Pub/Sub (pstest) with the
// topics and subscription of terraform/queue.tf: message ordering, a
// dead-letter topic after 100 attempts. (With 5, pstest's redeliveries
// around a sender restart sometimes dead-lettered a reply that was only
// waiting its turn: the same effect that made terraform/queue.tf use 100.)
func fake(t *testing.T) (*pstest.Server, *pubsub.Client) {
	t.Helper()
	srv, c := queuetest.PubSub(t, "p")
	ctx := context.Background()
	for _, name := range []string{topic, dlTopic} {
		if _, err := c.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{
		Name: subName, Topic: topic, EnableMessageOrdering: true, AckDeadlineSeconds: 10,
		DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: dlTopic, MaxDeliveryAttempts: 100},
		RetryPolicy:      &pubsubpb.RetryPolicy{MinimumBackoff: durationpb.New(10 * time.Millisecond), MaximumBackoff: durationpb.New(100 * time.Millisecond)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// push plays Pub/Sub's push delivery to h, one message at a time: each
// message as the push envelope, acked on 2xx, nacked otherwise. It returns
// when ctx ends. lease, when not zero, is how long pstest lets the client
// hold a message it has been given before giving it to another (the
// stream's ack deadline; the client's default is 60 s).
func push(t *testing.T, ctx context.Context, c *pubsub.Client, h http.Handler, lease time.Duration) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	sub := c.Subscriber(subName)
	sub.ReceiveSettings.MaxOutstandingMessages = 1
	sub.ReceiveSettings.NumGoroutines = 1
	sub.ReceiveSettings.MaxDurationPerAckExtension = lease
	err := sub.Receive(ctx, func(ctx context.Context, m *pubsub.Message) {
		var env pubsubqueue.PushEnvelope
		env.Message.Data, env.Message.Attributes, env.Message.MessageID = m.Data, m.Attributes, m.ID
		env.Message.PublishTime, env.Message.OrderingKey, env.Subscription = m.PublishTime, m.OrderingKey, subName
		body, _ := json.Marshal(env)
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil || resp.StatusCode/100 != 2 {
			m.Nack()
			return
		}
		resp.Body.Close()
		m.Ack()
	})
	if err != nil && ctx.Err() == nil {
		t.Error(err)
	}
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// drain pushes until want replies were delivered (or a minute passed).
func drain(t *testing.T, c *pubsub.Client, h http.Handler, rec *queuetest.Recorder, want int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() {
		for len(rec.Sent()) < want && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond) // room for a stray extra delivery to show
		cancel()
	}()
	push(t, ctx, c, h, 0)
}

// TestPubSubBurst: 300 users write at once (50 twice, and 20 webhooks are
// delivered again); every webhook is answered 200 once its reply is
// published; the sender delivers each reply exactly once (the repeats by
// reply_id), each user's in order, paced on an injected clock.
func TestPubSubBurst(t *testing.T) {
	_, c := fake(t)
	clock := queuetest.NewClock()
	rec := queuetest.NewRecorder(t, clock)
	bot := queuetest.NewBot(t, newClientQueue(c.Publisher(topic)))
	queuetest.Burst(t, bot, 300, 50)
	queuetest.Burst(t, bot, 20, 0) // redelivered webhooks: published again, sent once
	h := pubsubqueue.NewPushHandler(replyqueue.NewDeliverer(rec.Client(), replyqueue.NewPacer(clock, 0)), discard)
	drain(t, c, h, rec, 350)
	queuetest.Check(t, rec.Sent(), 300, 50)
}

// stopAfter cancels ctx once n sends have returned.
type stopAfter struct {
	handler.Sender
	n      int64
	cancel context.CancelFunc
	count  atomic.Int64
}

func (s *stopAfter) Send(ctx context.Context, uid int64, msg handler.Message) error {
	err := s.Sender.Send(ctx, uid, msg)
	if s.count.Add(1) == s.n {
		s.cancel()
	}
	return err
}

// TestPubSubSenderRestart: the sender is stopped after 105 replies and a new
// instance (new pacer, new memory) takes over: nothing lost, nothing sent
// twice, the pace kept across the restart. The first sender's deliveries come
// through a client of its own, closed when it stops, as a stopped instance
// drops its connection and the leases on any messages it still held.
//
// A message that pstest had just handed to the closing client (it arrives
// as the client shuts down, so the client neither processes nor nacks it)
// stays leased until the stream's ack deadline passes, and the later
// messages of its ordering key wait behind it, as in Pub/Sub (a push to an
// instance that died comes back after the ack deadline or the retry
// backoff). With the client's default 60 s deadline that outlasted drain's
// minute, so under load (when such a hand-over is likelier) the test lost
// a reply now and then; the stopped client's leases are 10 s (Pub/Sub's
// shortest ack deadline) so that the message comes back well within it.
func TestPubSubSenderRestart(t *testing.T) {
	srv, c := fake(t)
	clock := queuetest.NewClock()
	rec := queuetest.NewRecorder(t, clock)
	bot := queuetest.NewBot(t, newClientQueue(c.Publisher(topic)))
	queuetest.Burst(t, bot, 300, 50)

	ctx, cancel := context.WithCancel(context.Background())
	stopping := &stopAfter{Sender: rec.Client(), n: 105, cancel: cancel}
	first := pubsubqueue.NewPushHandler(replyqueue.NewDeliverer(stopping, replyqueue.NewPacer(clock, 0)), discard)
	stopped := queuetest.PubSubClient(t, srv, "p")
	push(t, ctx, stopped, first, 10*time.Second)
	stopped.Close()
	if n := len(rec.Sent()); n != 105 {
		t.Fatalf("the first sender sent %d, want 105", n)
	}
	second := pubsubqueue.NewPushHandler(replyqueue.NewDeliverer(rec.Client(), replyqueue.NewPacer(clock, 0)), discard)
	drain(t, c, second, rec, 350)
	queuetest.Check(t, rec.Sent(), 300, 50)
}
