package replyqueue_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"
)

// downQueue fails every Enqueue with the error a real queue's client gives
// when its service refuses the connection, until up is set.
type downQueue struct {
	mu  sync.Mutex
	up  bool
	got []replyqueue.Reply
	err error
}

func (q *downQueue) Enqueue(_ context.Context, r replyqueue.Reply) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.up {
		return q.err
	}
	q.got = append(q.got, r)
	return nil
}

// TestSinkKeepsReplyWhenQueueDown: a stateful bot whose queue is
// unreachable answers 500 and keeps the reply in the user's outbox, so the
// platform's redelivery, once the queue is back, queues it, once, and the
// state changed once. The queue's error is a real refused connection, whose
// *url.Error says Temporary() == false; the core used to take that for a
// permanent failure and drop the reply.
func TestSinkKeepsReplyWhenQueueDown(t *testing.T) {
	_, err := http.Post("http://127.0.0.1:"+strconv.Itoa(testtools.FreePort(t)), "application/json", nil)
	if err == nil {
		t.Fatal("a POST to a free port succeeded")
	}
	q := &downQueue{err: err}
	count := handler.NewState[int]("sinktest")
	mux, err := handler.New(queuetest.Token, append(replyqueue.Options(q),
		handler.WithStore(memstore.New()), handler.WithLogger(slog.New(slog.DiscardHandler)))...)
	if err != nil {
		t.Fatal(err)
	}
	mux.OnAnyText(func(ctx context.Context, ev *handler.Event) error {
		n := count.Get(ev)
		*n++
		return ev.Reply(ctx, "turn "+strconv.Itoa(*n))
	})
	webhook := sociogramtest.ChatMessage(5, "hi")
	if code := serve(mux, webhook); code != http.StatusInternalServerError {
		t.Fatalf("queue down: status %d, want 500", code)
	}
	var tmp interface{ Temporary() bool }
	sinkErr := replyqueue.NewSink(q).Send(context.Background(), 5, handler.Message{Text: "x"})
	if !errors.Is(sinkErr, replyqueue.ErrNotQueued) || !errors.As(sinkErr, &tmp) || !tmp.Temporary() {
		t.Errorf("Sink.Send with the queue down = %v: want ErrNotQueued and Temporary", sinkErr)
	}
	q.mu.Lock()
	q.up = true
	q.mu.Unlock()
	if code := serve(mux, webhook); code != http.StatusOK {
		t.Fatalf("redelivery with the queue back: status %d, want 200", code)
	}
	var bodies []string
	for _, r := range q.got {
		bodies = append(bodies, string(r.Body))
	}
	if len(bodies) != 1 || !strings.Contains(bodies[0], `"turn 1"`) {
		t.Errorf("after the redelivery: queued %q, want the one reply \"turn 1\"", bodies)
	}
	// The state changed once: the user's next message is turn 2.
	if code := serve(mux, sociogramtest.ChatMessage(5, "again")); code != http.StatusOK || len(q.got) != 2 || !strings.Contains(string(q.got[1].Body), `"turn 2"`) {
		t.Errorf("next message: status %d, queued %d replies, want 200 and \"turn 2\"", code, len(q.got))
	}
}
