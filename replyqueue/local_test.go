package replyqueue_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestLocalBurst: 300 users write at once; every webhook is answered 200 as
// soon as its reply is queued, and Close drains the queue at the
// platform's pace, each reply once, each user's in order.
func TestLocalBurst(t *testing.T) {
	clock := queuetest.NewClock()
	rec := queuetest.NewRecorder(t, clock)
	var logs bytes.Buffer
	q := replyqueue.NewLocal(rec.Client(), replyqueue.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	bot := queuetest.NewBot(t, q)
	queuetest.Burst(t, bot, 300, 50)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := q.Close(ctx); err != nil {
		t.Fatal(err)
	}
	queuetest.Check(t, rec.Sent(), 300, 50)
	if s := q.Stats(); s.Depth != 0 || s.Sent != 350 || s.Failed != 0 {
		t.Errorf("stats after drain = %+v", s)
	}
	if !strings.Contains(logs.String(), `"msg":"reply queue","depth":0`) {
		t.Errorf("no final depth line in the log:\n%s", logs.String())
	}
	if err := q.Enqueue(ctx, replyqueue.Reply{UID: 1}); !errors.Is(err, replyqueue.ErrClosed) {
		t.Errorf("Enqueue after Close = %v, want ErrClosed", err)
	}
}

// TestLocalFull: beyond its capacity the queue refuses, and the webhook
// answers 500 so the platform may redeliver it.
func TestLocalFull(t *testing.T) {
	blocked := make(chan struct{})
	sender := handler.SenderFunc(func(ctx context.Context, uid int64, msg handler.Message) error {
		<-blocked
		return nil
	})
	q := replyqueue.NewLocal(sender, replyqueue.WithCapacity(2), replyqueue.WithLogger(discard))
	defer func() { close(blocked); q.Close(context.Background()) }()
	bot := queuetest.NewBot(t, q)
	// The reply being sent counts until it is sent.
	for i, want := range []int{200, 200, 500} {
		if got := serve(bot, sociogramtest.ChatMessage(int64(i+1), "hello")); got != want {
			t.Errorf("webhook %d answered %d, want %d", i, got, want)
		}
	}
	if d := q.Stats().Depth; d != 2 {
		t.Errorf("depth %d, want 2", d)
	}
}

// TestLocalCloseDeadline: a drain cut short reports the replies left.
func TestLocalCloseDeadline(t *testing.T) {
	sender := handler.SenderFunc(func(ctx context.Context, uid int64, msg handler.Message) error {
		<-ctx.Done()
		return ctx.Err()
	})
	q := replyqueue.NewLocal(sender, replyqueue.WithLogger(discard))
	bot := queuetest.NewBot(t, q)
	for uid := int64(1); uid <= 3; uid++ {
		serve(bot, sociogramtest.ChatMessage(uid, "hello"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := q.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "3 replies not delivered") {
		t.Errorf("Close = %v, want 3 replies not delivered", err)
	}
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))
