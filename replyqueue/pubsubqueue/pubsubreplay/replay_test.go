package pubsubreplay_test

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue"
	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue/pubsubreplay"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
)

const (
	project = "projects/p"
	topic   = project + "/topics/replies"
	dlTopic = project + "/topics/replies-dead-letter"
	subName = project + "/subscriptions/replies-push"
)

// fake starts the client library's own in-memory Pub/Sub (pstest) with the
// reply topic, its ordered subscription and the dead-letter topic.
func fake(t *testing.T) *pubsub.Client {
	t.Helper()
	_, c := queuetest.PubSub(t, "p")
	ctx := context.Background()
	for _, name := range []string{topic, dlTopic} {
		if _, err := c.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{
		Name: subName, Topic: topic, EnableMessageOrdering: true, AckDeadlineSeconds: 10}); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReplay: dead-lettered replies are published to the reply topic again
// with their ordering key and reply_id, and acknowledged on the dead-letter
// subscription.
func TestReplay(t *testing.T) {
	c := fake(t)
	ctx := context.Background()
	const dlSub = project + "/subscriptions/replies-dead-letter"
	if _, err := c.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{Name: dlSub, Topic: dlTopic}); err != nil {
		t.Fatal(err)
	}
	pub := c.Publisher(dlTopic)
	for _, id := range []string{"a", "b"} {
		if _, err := pub.Publish(ctx, &pubsub.Message{Data: []byte(`{"uid":7,"message":{"text":"` + id + `"}}`),
			Attributes: map[string]string{pubsubqueue.AttrReplyID: id}}).Get(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pub.Stop()
	n, err := pubsubreplay.Replay(ctx, c, dlSub, topic, 500*time.Millisecond)
	if err != nil || n != 2 {
		t.Fatalf("Replay = %d, %v; want 2", n, err)
	}
	got := map[string]string{}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c.Subscriber(subName).Receive(rctx, func(_ context.Context, m *pubsub.Message) {
		got[m.Attributes[pubsubqueue.AttrReplyID]] = string(m.Data)
		m.Ack()
		if len(got) == 2 {
			cancel()
		}
	})
	if got["a"] != `{"uid":7,"message":{"text":"a"}}` || got["b"] != `{"uid":7,"message":{"text":"b"}}` {
		t.Errorf("replayed %v", got)
	}
	if n, _ := pubsubreplay.Replay(ctx, c, dlSub, topic, 300*time.Millisecond); n != 0 {
		t.Errorf("a second Replay moved %d: the first did not acknowledge", n)
	}
}
