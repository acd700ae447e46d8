package pubsubqueue_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
)

const (
	flooder = 1   // the user who floods
	others  = 100 // the others are uids others .. others+9
)

// pushModel plays Pub/Sub's push delivery of an ordered subscription on a
// SimClock, as terraform/queue.tf configures it and Pub/Sub documents it:
//
//   - one message of an ordering key (a user) is outstanding at a time: the
//     key's next message is pushed once the previous one is acked;
//   - messages of different keys are pushed at once, each as its own
//     request; the sender function (one instance) takes up to concurrency
//     requests at a time and turns away the rest (Cloud Run answers 429);
//   - a push that is not answered 2xx is pushed again after the retry
//     policy's backoff (minBackoff doubling per attempt, up to maxBackoff);
//     after maxAttempts it goes to the dead-letter topic.
//
// What it leaves out: the delay between an ack and the key's next push
// (tens of milliseconds in Pub/Sub, none here) and Pub/Sub's push backoff,
// which slows the whole subscription down when many pushes fail.
type pushModel struct {
	clock       *queuetest.SimClock
	h           http.Handler
	concurrency int
	minBackoff  time.Duration
	maxBackoff  time.Duration
	maxAttempts int

	mu       sync.Mutex
	rand     *rand.Rand
	inFlight int
	attempts int // pushes made, turned away ones included
	refused  int // pushes turned away for want of a free request slot
	nacked   int // pushes answered non-2xx by the sender
	dead     []string
}

// publish schedules a key's messages, each arriving at its time, and pushes
// them in order.
func (p *pushModel) publish(key string, at []time.Time, data [][]byte) {
	p.clock.Go(func() {
		for i := range data {
			if d := at[i].Sub(p.clock.Now()); d > 0 {
				p.clock.Sleep(context.Background(), d)
			}
			id := fmt.Sprintf("%s-%d", key, i)
			for attempt := 1; ; attempt++ {
				if attempt > p.maxAttempts {
					p.mu.Lock()
					p.dead = append(p.dead, id)
					p.mu.Unlock()
					break
				}
				if p.push(key, id, at[i], attempt, data[i]) {
					break
				}
				p.clock.Sleep(context.Background(), p.backoff(attempt))
			}
		}
	})
}

// backoff is the wait after the attempt-th failed push: exponential from
// minBackoff to maxBackoff, spread by a random half either way (Pub/Sub's
// pushes of different messages do not retry in step).
func (p *pushModel) backoff(attempt int) time.Duration {
	d := min(p.maxBackoff, p.minBackoff<<min(attempt-1, 20))
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rand == nil {
		p.rand = rand.New(rand.NewPCG(1, 2))
	}
	return d/2 + time.Duration(p.rand.Int64N(int64(d)))
}

// push makes one push request and reports whether it was acked.
func (p *pushModel) push(key, id string, published time.Time, attempt int, data []byte) bool {
	p.mu.Lock()
	p.attempts++
	if p.inFlight >= p.concurrency {
		p.refused++
		p.mu.Unlock()
		return false
	}
	p.inFlight++
	p.mu.Unlock()
	var env pubsubqueue.PushEnvelope
	env.Message.Data, env.Message.MessageID, env.Message.OrderingKey = data, id, key
	env.Message.Attributes = map[string]string{pubsubqueue.AttrReplyID: id}
	env.Message.PublishTime, env.DeliveryAttempt, env.Subscription = published, attempt, subName
	body, _ := json.Marshal(env)
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight--
	if rec.Code/100 != 2 {
		p.nacked++
		return false
	}
	return true
}

func replyData(t testing.TB, uid int64, text string) []byte {
	t.Helper()
	r, err := replyqueue.NewReply(uid, handler.Message{Text: text}, text)
	if err != nil {
		t.Fatal(err)
	}
	return r.Body
}

// TestPubSubFair: one user's 200 replies are published at once (a flood, as
// fast as the platform delivers the webhooks), and 10 other users' one reply
// each arrive while the sender drains it, through the model of Pub/Sub push
// above on an injected clock, with terraform/queue.tf's settings. The
// sender holds a push whose user must wait for a slot (up to DefaultHold)
// while it sends the others' pushes at once: the others get their replies
// within 10 s, the flooding user's replies keep their order, and the
// platform's limits hold. Nacking such a push instead (WithHold(0)) leaves
// the others that the bucket cannot serve at once, and the flooding user,
// one reply per retry backoff (10 s, spread), every attempt counting
// towards the dead-letter topic.
func TestPubSubFair(t *testing.T) {
	tests := []struct {
		name    string
		arrive  time.Duration // the others' arrival, after the flood
		hold    time.Duration
		within  time.Duration
		floodAt float64 // the flooding user's replies a minute, at least
	}{
		{"hold, 10 s in", 10 * time.Second, pubsubqueue.DefaultHold, 10 * time.Second, 40},
		{"hold, 30 s in", 30 * time.Second, pubsubqueue.DefaultHold, 10 * time.Second, 40},
		{"hold, a minute in", time.Minute, pubsubqueue.DefaultHold, 10 * time.Second, 40},
		// A new sender's first slots come one interval apart (see
		// replyqueue.Pacer): the others get slots 4 to 13 after the flood's
		// first three.
		{"hold, with the flood, new sender", 0, pubsubqueue.DefaultHold, 13 * replyqueue.DefaultInterval, 40},
		// Nacking instead: the others beyond what the bucket holds come back
		// after a backoff (5 to 15 s), the flooding user about every 10 s.
		{"nack, 30 s in", 30 * time.Second, 0, 15*time.Second + replyqueue.DefaultInterval, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := queuetest.NewSimClock()
			rec := queuetest.NewRecorder(t, clock)
			h := pubsubqueue.NewPushHandler(replyqueue.NewDeliverer(rec.Client(), replyqueue.NewPacer(clock, 0)), discard,
				pubsubqueue.WithHold(tt.hold))
			m := &pushModel{clock: clock, h: h, concurrency: senderConcurrency(t), minBackoff: 10 * time.Second,
				maxBackoff: 600 * time.Second, maxAttempts: 100}
			t0 := clock.Now()
			var at []time.Time
			var data [][]byte
			for i := range 200 {
				at, data = append(at, t0), append(data, replyData(t, flooder, fmt.Sprintf("flood %d", i)))
			}
			m.publish(strconv.Itoa(flooder), at, data)
			arrived := map[int64]time.Time{}
			for uid := int64(others); uid < others+10; uid++ {
				arrived[uid] = t0.Add(tt.arrive)
				m.publish(strconv.FormatInt(uid, 10), []time.Time{arrived[uid]}, [][]byte{replyData(t, uid, fmt.Sprintf("hello from %d", uid))})
			}
			if !clock.Run(t0.Add(2*time.Hour), 30*time.Second) {
				t.Fatalf("the pushes did not finish: %d sent", len(rec.Sent()))
			}
			sent := rec.Sent()
			st := queuetest.Fair(sent, flooder, arrived)
			t.Logf("%s; %d pushes (%d turned away, %d nacked)", st, m.attempts, m.refused, m.nacked)
			if len(sent) != 210 || len(m.dead) > 0 {
				t.Errorf("%d sent, %d dead-lettered; want 210 and none", len(sent), len(m.dead))
			}
			queuetest.CheckFair(t, sent, st, flooder)
			if st.OthersWorst > tt.within {
				t.Errorf("the others' worst wait %s, want at most %s", st.OthersWorst, tt.within)
			}
			if st.FloodPerMin < tt.floodAt {
				t.Errorf("the flooding user got %.1f replies a minute, want at least %.0f", st.FloodPerMin, tt.floodAt)
			}
		})
	}
}

// senderConcurrency is the sender function's max_instance_request_concurrency
// in terraform/queue.tf: how many pushes its one instance takes at once.
func senderConcurrency(t *testing.T) int {
	t.Helper()
	src, err := os.ReadFile("../../terraform/queue.tf")
	if err != nil {
		t.Fatal(err)
	}
	f, diags := hclsyntax.ParseConfig(src, "queue.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type != "resource" || b.Labels[0] != "google_cloudfunctions2_function" || b.Labels[1] != "sender" {
			continue
		}
		for _, svc := range b.Body.Blocks {
			if a, ok := svc.Body.Attributes["max_instance_request_concurrency"]; ok && svc.Type == "service_config" {
				v, diags := a.Expr.Value(nil)
				if diags.HasErrors() || !v.Type().Equals(cty.Number) {
					t.Fatalf("queue.tf: max_instance_request_concurrency is not a number")
				}
				n, _ := v.AsBigFloat().Int64()
				return int(n)
			}
		}
	}
	t.Fatal("queue.tf: no max_instance_request_concurrency in the sender's service_config")
	return 0
}

// TestPubSubViral: 300 users write at once (a bot gone viral, no one
// flooding) through the model of Pub/Sub push: pushes beyond the sender's
// concurrency are turned away and come back after the backoff, held ones
// that wait longer than DefaultHold are nacked; every reply is delivered
// once, none is dead-lettered, and the limits hold.
func TestPubSubViral(t *testing.T) {
	clock := queuetest.NewSimClock()
	rec := queuetest.NewRecorder(t, clock)
	h := pubsubqueue.NewPushHandler(replyqueue.NewDeliverer(rec.Client(), replyqueue.NewPacer(clock, 0)), discard)
	m := &pushModel{clock: clock, h: h, concurrency: senderConcurrency(t), minBackoff: 10 * time.Second,
		maxBackoff: 600 * time.Second, maxAttempts: 100}
	t0 := clock.Now()
	for uid := int64(1); uid <= 300; uid++ {
		m.publish(strconv.FormatInt(uid, 10), []time.Time{t0}, [][]byte{replyData(t, uid, "hello")})
	}
	if !clock.Run(t0.Add(2*time.Hour), 30*time.Second) {
		t.Fatalf("the pushes did not finish: %d sent", len(rec.Sent()))
	}
	sent := rec.Sent()
	st := queuetest.Fair(sent, 0, nil)
	last := sent[len(sent)-1].At.Sub(t0)
	t.Logf("%s; all sent by +%s; %d pushes (%d turned away, %d nacked)", st, last.Round(time.Second), m.attempts, m.refused, m.nacked)
	if len(sent) != 300 || len(m.dead) > 0 || st.MaxPerWindow > 60 {
		t.Errorf("%d sent, %d dead-lettered, %d in a minute; want 300, none, at most 60", len(sent), len(m.dead), st.MaxPerWindow)
	}
}

// TestPubSubFairE2E: the 30 s case of TestPubSubFair end to end on the wall
// clock: pstest's ordered subscription (one message per ordering key
// outstanding) delivering through the client library to the sender over
// HTTP, as many pushes at once as terraform/queue.tf lets the sender take.
// 200 replies of one user are published, the sender starts, and 10 other
// users' replies are published 30 s later; it runs until they are sent and
// 30 s more, and measures what was sent by then. (pstest pushes a nacked
// message again at once, without the retry policy's backoff; the sender
// nacks nothing here.)
func TestPubSubFairE2E(t *testing.T) {
	// About a minute of wall time: make test-slow runs it.
	if os.Getenv("KIT_SLOW_TESTS") != "1" {
		t.Skip("slow (about a minute): run with KIT_SLOW_TESTS=1, as make test-slow does")
	}
	_, c := fake(t)
	rec := queuetest.NewRecorder(t, replyqueue.WallClock())
	q := newClientQueue(c.Publisher(topic))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
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
		enqueue(flooder, fmt.Sprintf("flood %d", i))
	}
	h := pubsubqueue.NewPushHandler(replyqueue.NewDeliverer(rec.Client(), replyqueue.NewPacer(nil, 0)), discard)
	srv := httptest.NewServer(h)
	defer srv.Close()
	start := time.Now()
	arrived := map[int64]time.Time{}
	go func() {
		time.Sleep(30 * time.Second)
		for uid := int64(others); uid < others+10; uid++ {
			arrived[uid] = time.Now() // read after Receive returns
			enqueue(uid, fmt.Sprintf("hello from %d", uid))
		}
		for queuetest.SentFrom(rec.Sent(), others) < 10 && time.Since(start) < 2*time.Minute {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(30 * time.Second)
		cancel()
	}()
	sub := c.Subscriber(subName)
	sub.ReceiveSettings.MaxOutstandingMessages = senderConcurrency(t)
	sub.ReceiveSettings.NumGoroutines = 1
	var pushes, nacks int
	var mu sync.Mutex
	err := sub.Receive(ctx, func(_ context.Context, m *pubsub.Message) {
		var env pubsubqueue.PushEnvelope
		env.Message.Data, env.Message.Attributes, env.Message.MessageID = m.Data, m.Attributes, m.ID
		env.Message.PublishTime, env.Message.OrderingKey, env.Subscription = m.PublishTime, m.OrderingKey, subName
		body, _ := json.Marshal(env)
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		mu.Lock()
		pushes++
		mu.Unlock()
		if err != nil || resp.StatusCode/100 != 2 {
			mu.Lock()
			nacks++
			mu.Unlock()
			m.Nack()
			return
		}
		resp.Body.Close()
		m.Ack()
	})
	if err != nil && ctx.Err() == nil {
		t.Fatal(err)
	}
	sent := rec.Sent()
	st := queuetest.Fair(sent, flooder, arrived)
	t.Logf("%s; %d pushes, %d nacked (in %s)", st, pushes, nacks, time.Since(start).Round(time.Second))
	if n := queuetest.SentFrom(sent, others); n != 10 || st.OthersWorst > 10*time.Second {
		t.Errorf("%d of the 10 others sent, worst wait %s; want all within 10s", n, st.OthersWorst)
	}
	queuetest.CheckFair(t, sent, st, flooder)
	if st.FloodSent < 30 { // about 40 in the run: it is not starved
		t.Errorf("the flooding user got %d replies out in %s", st.FloodSent, time.Since(start))
	}
}
