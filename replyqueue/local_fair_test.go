package replyqueue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
)

func enqueue(t *testing.T, q *replyqueue.Local, uid int64, text string) {
	t.Helper()
	r, err := replyqueue.NewReply(uid, handler.Message{Text: text}, text)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

// TestLocalRoundRobin: the queue takes users in turn, so one user's backlog
// does not hold up the others; each user's replies keep their order.
func TestLocalRoundRobin(t *testing.T) {
	gate := make(chan struct{})
	sent := make(chan string, 100)
	sender := handler.SenderFunc(func(ctx context.Context, uid int64, msg handler.Message) error {
		<-gate
		sent <- msg.Text
		return nil
	})
	q := replyqueue.NewLocal(sender, replyqueue.WithLogger(discard))
	for i := range 50 {
		enqueue(t, q, 1, fmt.Sprintf("1/%d", i))
	}
	enqueue(t, q, 2, "2/0")
	enqueue(t, q, 3, "3/0")
	enqueue(t, q, 2, "2/1")
	var order []string
	for range 53 {
		gate <- struct{}{}
		order = append(order, <-sent)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The first reply of user 1 was taken before the others were queued.
	want := []string{"1/0", "2/0", "3/0", "1/1", "2/1", "1/2", "1/3"}
	for i, w := range want {
		if order[i] != w {
			t.Fatalf("order %v..., want %v...", order[:len(want)], want)
		}
	}
	for i, n := 0, 0; i < len(order); i++ { // user 1 in order
		if order[i][0] == '1' {
			if order[i] != fmt.Sprintf("1/%d", n) {
				t.Fatalf("user 1's replies out of order: %v", order)
			}
			n++
		}
	}
}

// TestLocalFairLatency: on the Bot API client's limiter and an injected
// clock, one user's 200 queued replies and 10 other users' one each, queued
// with the flood or 30 s into it: the others are all sent within 10 s of
// being queued, and the platform's limits hold for everything sent.
func TestLocalFairLatency(t *testing.T) {
	for _, arrive := range []time.Duration{0, 30 * time.Second} {
		t.Run(fmt.Sprint(arrive), func(t *testing.T) {
			clock := queuetest.NewClock()
			rec := queuetest.NewRecorder(t, clock)
			client := rec.Client()
			gate := make(chan struct{}) // the sender starts once the flood is queued
			var q *replyqueue.Local
			arrived := map[int64]time.Time{}
			queued := make(chan struct{}) // the others are queued
			t0 := clock.Now()
			sender := handler.SenderFunc(func(ctx context.Context, uid int64, msg handler.Message) error {
				<-gate
				if len(arrived) == 0 && !clock.Now().Before(t0.Add(arrive)) {
					for uid := int64(100); uid < 110; uid++ { // they come now, as the sender takes its next reply
						arrived[uid] = clock.Now()
						r, _ := replyqueue.NewReply(uid, handler.Message{Text: fmt.Sprintf("hello from %d", uid)}, "")
						if err := q.Enqueue(ctx, r); err != nil {
							t.Error(err)
						}
					}
					close(queued)
				}
				return client.Send(ctx, uid, msg)
			})
			q = replyqueue.NewLocal(sender, replyqueue.WithLogger(discard))
			for i := range 200 {
				enqueue(t, q, 1, fmt.Sprintf("flood %d", i))
			}
			close(gate)
			<-queued
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := q.Close(ctx); err != nil {
				t.Fatal(err)
			}
			sent := rec.Sent()
			st := queuetest.Fair(sent, 1, arrived)
			t.Logf("%s; all sent by +%s", st, sent[len(sent)-1].At.Sub(t0).Round(time.Second))
			if len(sent) != 210 || st.OthersWorst > 10*time.Second {
				t.Errorf("%d sent, other users' worst wait %s; want 210 and at most 10s", len(sent), st.OthersWorst)
			}
			checkPaced(t, sent)
		})
	}
}

// TestLocalLoneUser: a lone user's ordinary exchange (a few replies) goes out
// one second apart, the first at once.
func TestLocalLoneUser(t *testing.T) {
	clock := queuetest.NewClock()
	rec := queuetest.NewRecorder(t, clock)
	q := replyqueue.NewLocal(rec.Client(), replyqueue.WithLogger(discard))
	t0 := clock.Now()
	for i := range 4 {
		enqueue(t, q, 7, fmt.Sprintf("part %d", i))
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, s := range rec.Sent() {
		if want := time.Duration(i) * time.Second; s.At.Sub(t0) != want {
			t.Errorf("reply %d at +%s, want +%s", i+1, s.At.Sub(t0), want)
		}
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
