package sqsqueue_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
	"github.com/sociogram-kit/kit/replyqueue/sqsqueue"
)

// TestSQSFair: one user's 200 queued replies, then 10 other users' one
// each, in moto's FIFO queue. A batch holding only the busy user's replies
// sends a few and defers the rest, so the next batch holds the others: they
// are sent within their own ten pacer slots after the busy user's first
// few (SQS would otherwise hand out the busy user's group batch after
// batch). Every user's order holds, nothing is dead-lettered with the
// template's maxReceiveCount, and the platform's limits hold (on an
// injected clock).
func TestSQSFair(t *testing.T) {
	// About two minutes of wall time (moto's one-second visibility cycles):
	// make test-slow runs it on its own (CI does, after make test), so it
	// neither doubles make test's time nor loads the machine under the other
	// packages' timing-sensitive tests.
	if os.Getenv("KIT_SLOW_TESTS") != "1" {
		t.Skip("slow (about 2 min): run with KIT_SLOW_TESTS=1, as make test-slow does")
	}
	c := client(testtools.StartMoto(t))
	url, dlqURL := queues(t, c, 10)
	clock := queuetest.NewClock()
	rec := queuetest.NewRecorder(t, clock)
	q := sqsqueue.New(c, url)
	ctx := context.Background()
	enqueue := func(uid int64, text string) {
		r, err := replyqueue.NewReply(uid, handler.Message{Text: text}, text)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Enqueue(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 200 {
		enqueue(1, fmt.Sprintf("flood %d", i))
	}
	for uid := int64(100); uid < 110; uid++ {
		enqueue(uid, fmt.Sprintf("hello from %d", uid))
	}
	t0 := clock.Now()
	es := eventSource{c, url}
	s := sqsqueue.NewConsumer(c, url, replyqueue.NewDeliverer(rec.Client(), replyqueue.NewPacer(clock, 0)), discard,
		sqsqueue.WithClock(clock))
	deadline := time.Now().Add(3 * time.Minute)
	for len(rec.Sent()) < 210 && time.Now().Before(deadline) {
		if !es.invoke(t, ctx, s.Handle) {
			time.Sleep(100 * time.Millisecond) // deferred replies are invisible for a second
		}
	}
	sent := rec.Sent()
	var worst time.Duration
	for _, m := range sent {
		if m.UID >= 100 {
			worst = max(worst, m.At.Sub(t0))
		}
	}
	t.Logf("%d replies sent; the 10 other users' worst wait %s; all sent by +%s", len(sent), worst, sent[len(sent)-1].At.Sub(t0).Round(time.Second))
	// Ten others through a pacer of one send per DefaultInterval need ten
	// slots; the busy user's first LightSends go before its batch is cut.
	if limit := 14 * replyqueue.DefaultInterval; len(sent) != 210 || worst > limit {
		t.Errorf("%d sent, other users' worst wait %s; want 210 and at most %s", len(sent), worst, limit)
	}
	next := 0
	for _, m := range sent {
		if m.UID == 1 {
			if want := fmt.Sprintf("flood %d", next); m.Text != want {
				t.Fatalf("user 1's reply %q sent where %q was due", m.Text, want)
			}
			next++
		}
	}
	checkPaced(t, sent)
	if d := es.depth(t, dlqURL); d != 0 {
		t.Errorf("%d messages in the dead-letter queue", d)
	}
}

func checkPaced(t *testing.T, sent []queuetest.Stamped) {
	t.Helper()
	last := map[int64]time.Time{}
	for i, s := range sent {
		if p, ok := last[s.UID]; ok && s.At.Sub(p) < time.Second {
			t.Fatalf("uid %d: two replies %s apart", s.UID, s.At.Sub(p))
		}
		last[s.UID] = s.At
		if i >= 60 && s.At.Sub(sent[i-60].At) < time.Minute {
			t.Fatalf("61 replies within %s", s.At.Sub(sent[i-60].At))
		}
	}
}
