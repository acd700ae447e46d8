package sqsqueue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
	"github.com/sociogram-kit/kit/replyqueue/sqsqueue"
)

// TestDeadLetterAndReplay: while the Bot API refuses one user's replies,
// they fail, hold up only that user, and after maxReceiveCount move to the
// dead-letter queue; Replay moves them back and they are then delivered,
// in order, once.
func TestDeadLetterAndReplay(t *testing.T) {
	c := client(testtools.StartMoto(t))
	url, dlqURL := queues(t, c, 2)
	clock := queuetest.NewClock()
	rec := queuetest.NewRecorder(t, clock)
	bot := queuetest.NewBot(t, sqsqueue.New(c, url))
	queuetest.Burst(t, bot, 3, 3) // uids 1..3, two replies each
	refuse := handler.SenderFunc(func(ctx context.Context, uid int64, msg handler.Message) error {
		if uid == 2 {
			return errors.New("refused")
		}
		return rec.Client().Send(ctx, uid, msg)
	})
	s := sqsqueue.NewConsumer(c, url, replyqueue.NewDeliverer(refuse, replyqueue.NewPacer(clock, 0)), discard)
	es := eventSource{c, url}
	deadline := time.Now().Add(time.Minute)
	for es.depth(t, dlqURL) < 2 && time.Now().Before(deadline) {
		if !es.invoke(t, context.Background(), s.Handle) {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if n := es.depth(t, dlqURL); n != 2 {
		t.Fatalf("%d messages in the dead-letter queue, want uid 2's two", n)
	}
	if n := len(rec.Sent()); n != 4 {
		t.Fatalf("%d replies sent, want the 4 of uids 1 and 3", n)
	}

	n, err := sqsqueue.Replay(context.Background(), c, dlqURL, url)
	if err != nil || n != 2 {
		t.Fatalf("Replay = %d, %v; want 2", n, err)
	}
	s = sqsqueue.NewConsumer(c, url, replyqueue.NewDeliverer(rec.Client(), replyqueue.NewPacer(clock, 0)), discard)
	for len(rec.Sent()) < 6 && time.Now().Before(deadline) {
		if !es.invoke(t, context.Background(), s.Handle) {
			time.Sleep(200 * time.Millisecond)
		}
	}
	queuetest.Check(t, rec.Sent(), 3, 3)
	if d := es.depth(t, dlqURL) + es.depth(t, url); d != 0 {
		t.Errorf("%d messages left", d)
	}
}
