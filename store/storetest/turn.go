package storetest

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

const token = "storetest-token"

// counterState is the suite bot's state: one counter per user.
type counterState struct{ N int }

var counter = handler.NewState[counterState]("storetest.counter")

// RunTurn runs the Turn part of the suite: a real *handler.Mux keeping its
// state in the store and replying through the fake Bot API.
func RunTurn(t *testing.T, newStore func(t *testing.T) handler.Store) {
	t.Helper()
	tests := []struct {
		name string
		f    func(t *testing.T, s handler.Store)
	}{
		{"ConcurrentWebhooks", testConcurrentWebhooks},
		{"FaultBetweenCommitAndSend", testFaultThenRedelivery},
		{"Expiry", testExpiry},
		{"StoreCalls", testStoreCalls},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, newStore(t)) })
	}
}

// suiteBot is the bot under test: any text adds one to the user's counter
// and replies the new value; /get replies it; /quiet adds one, replying
// nothing; /ping replies without using state.
type suiteBot struct {
	mux  *handler.Mux
	api  *sociogramtest.Server
	gate *gate // when set, held by the first handler runs
}

// gate holds the first n handler runs until all n have read their state, so
// that they all commit against the same version: one wins, the others
// conflict and rerun.
type gate struct {
	mu   sync.Mutex
	n    int
	open chan struct{}
}

func newGate(n int) *gate { return &gate{n: n, open: make(chan struct{})} }

func (g *gate) wait(ctx context.Context) {
	g.mu.Lock()
	g.n--
	switch {
	case g.n == 0:
		close(g.open)
	case g.n < 0:
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	select {
	case <-g.open:
	case <-ctx.Done():
	}
}

func newSuiteBot(t *testing.T, s handler.Store, opts ...handler.Option) *suiteBot {
	t.Helper()
	api := sociogramtest.NewServer(t, token)
	client := botapi.New(token, botapi.WithBaseURL(api.URL), botapi.WithRateLimit(false), botapi.WithRetry(1, 0))
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts = append([]handler.Option{handler.WithSender(client), handler.WithStore(s), handler.WithLogger(logger)}, opts...)
	mux, err := handler.New(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux.OnCommand("get", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, strconv.Itoa(counter.Get(ev).N))
	})
	mux.OnCommand("ping", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "pong")
	})
	mux.OnCommand("quiet", func(ctx context.Context, ev *handler.Event) error {
		counter.Get(ev).N++
		return nil
	})
	b := &suiteBot{mux: mux, api: api}
	mux.OnAnyText(func(ctx context.Context, ev *handler.Event) error {
		c := counter.Get(ev)
		if b.gate != nil {
			b.gate.wait(ctx)
		}
		c.N++
		return ev.Reply(ctx, strconv.Itoa(c.N))
	})
	return b
}

// deliver posts one webhook to the bot in process and returns the status.
func (b *suiteBot) deliver(body []byte) int {
	w := httptest.NewRecorder()
	b.mux.ServeHTTP(w, sociogramtest.NewRequest(token, body))
	return w.Code
}

// deliverUntilDone redelivers a webhook answered 503, as the platform would.
func (b *suiteBot) deliverUntilDone(body []byte) int {
	for range 100 {
		if code := b.deliver(body); code != http.StatusServiceUnavailable {
			return code
		}
	}
	return http.StatusServiceUnavailable
}

// texts returns the texts of the messages sent to uid.
func (b *suiteBot) texts(uid int64) []string {
	var out []string
	for _, s := range b.api.Sent() {
		if s.UID == uid {
			out = append(out, s.Message.Text)
		}
	}
	return out
}

// get asks the bot for uid's counter.
func (b *suiteBot) get(t *testing.T, uid int64) string {
	t.Helper()
	before := len(b.texts(uid))
	if code := b.deliver(sociogramtest.ChatMessage(uid, "/get")); code != http.StatusOK {
		t.Fatalf("/get answered %d", code)
	}
	got := b.texts(uid)
	if len(got) != before+1 {
		t.Fatalf("/get sent %d replies, want 1", len(got)-before)
	}
	return got[len(got)-1]
}

func newUID() int64 { return rand.Int64N(1e15) + 1 }

func testConcurrentWebhooks(t *testing.T, s handler.Store) {
	const n = 20
	b := newSuiteBot(t, s)
	b.gate = newGate(n) // all 20 first attempts read version 0: 19 must conflict
	uid := newUID()
	codes := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			codes[i] = b.deliverUntilDone(sociogramtest.ChatMessage(uid, fmt.Sprintf("add %d", i)))
		})
	}
	close(start)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("webhook %d answered %d, want 200", i, c)
		}
	}
	got := b.texts(uid)
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, strconv.Itoa(i))
	}
	sorted := slices.Clone(got)
	slices.SortFunc(sorted, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	if !slices.Equal(sorted, want) {
		t.Fatalf("%d webhooks sent %d replies %v; want the values 1..%d once each (a lost update, or the reply of an aborted attempt?)", n, len(got), got, n)
	}
	if v := b.get(t, uid); v != strconv.Itoa(n) {
		t.Errorf("counter after %d webhooks = %s", n, v)
	}
}

func testFaultThenRedelivery(t *testing.T, s handler.Store) {
	b := newSuiteBot(t, s)
	uid := newUID()
	body := sociogramtest.ChatMessage(uid, "add")
	b.api.Inject(sociogramtest.Fault{Status: http.StatusInternalServerError})
	if code := b.deliver(body); code != http.StatusInternalServerError {
		t.Fatalf("webhook whose reply failed answered %d, want 500", code)
	}
	if got := b.texts(uid); len(got) != 0 {
		t.Fatalf("the fake refused the reply but recorded %v", got)
	}
	if code := b.deliver(body); code != http.StatusOK {
		t.Fatalf("redelivered webhook answered %d, want 200", code)
	}
	if got := b.texts(uid); !slices.Equal(got, []string{"1"}) {
		t.Fatalf("after the redelivery the user has %q, want the reply once: [1]", got)
	}
	if v := b.get(t, uid); v != "1" {
		t.Errorf("counter = %s after one event delivered twice, want 1 (the turn ran again?)", v)
	}
	// Once delivered, the same message again is a new turn.
	if code := b.deliver(body); code != http.StatusOK {
		t.Fatalf("the same message after delivery answered %d", code)
	}
	if got := b.texts(uid); !slices.Equal(got, []string{"1", "1", "2"}) {
		t.Errorf("replies = %q, want [1 1 2] (the repeat after delivery is a new turn)", got)
	}
}

func testExpiry(t *testing.T, s handler.Store) {
	clk := sociogramtest.NewClock(time.Now())
	b := newSuiteBot(t, s, handler.WithStateTTL(time.Hour), handler.WithClock(clk.Now))
	uid := newUID()
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, "1"},
		{50 * time.Minute, "2"},        // within the hour: kept, and the write restarts the hour
		{50 * time.Minute, "3"},        // 100 minutes after the first write, 50 after the last
		{time.Hour + time.Second, "1"}, // idle past the TTL: starts over, even if the store still has the record
		{59 * time.Minute, "2"},
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		if code := b.deliver(sociogramtest.ChatMessage(uid, fmt.Sprintf("add %d", i))); code != http.StatusOK {
			t.Fatalf("step %d answered %d", i, code)
		}
		got := b.texts(uid)
		if got[len(got)-1] != st.want {
			t.Fatalf("step %d (after %v): counter %s, want %s", i, st.advance, got[len(got)-1], st.want)
		}
	}
}

// countingStore counts the calls a turn makes.
type countingStore struct {
	handler.Store
	mu   sync.Mutex
	gets int
	puts int
}

func (c *countingStore) Get(ctx context.Context, key string) (handler.Record, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	return c.Store.Get(ctx, key)
}

func (c *countingStore) Put(ctx context.Context, key string, rec handler.Record) error {
	c.mu.Lock()
	c.puts++
	c.mu.Unlock()
	return c.Store.Put(ctx, key, rec)
}

func (c *countingStore) take() (gets, puts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	gets, puts, c.gets, c.puts = c.gets, c.puts, 0, 0
	return gets, puts
}

func testStoreCalls(t *testing.T, s handler.Store) {
	cs := &countingStore{Store: s}
	b := newSuiteBot(t, cs)
	uid := newUID()
	steps := []struct {
		text       string
		gets, puts int
		why        string
	}{
		{"/ping", 0, 0, "uses no state: no read, no write"},
		{"/get", 1, 0, "reads, changes nothing: no write"},
		{"add", 1, 2, "changes state and replies: commit, then clear the sent reply"},
		{"/quiet", 1, 1, "changes state, replies nothing: commit only"},
		{"/get", 1, 0, "reads, changes nothing: no write"},
	}
	for _, st := range steps {
		if code := b.deliver(sociogramtest.ChatMessage(uid, st.text)); code != http.StatusOK {
			t.Fatalf("%s answered %d", st.text, code)
		}
		if gets, puts := cs.take(); gets != st.gets || puts != st.puts {
			t.Errorf("%s: %d Get, %d Put; want %d, %d (%s)", st.text, gets, puts, st.gets, st.puts, st.why)
		}
	}
	if got := b.texts(uid); !slices.Equal(got, []string{"pong", "0", "1", "2"}) {
		t.Errorf("replies = %q, want [pong 0 1 2]", got)
	}
}
