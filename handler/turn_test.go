package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"
)

type tally struct{ N int }

var tallies = handler.NewState[tally]("handler_test.tally")

// outbox is a Sender that records texts and fails sends on demand.
type outbox struct {
	mu    sync.Mutex
	texts []string
	fail  []error // errors for the next sends, in order (nil: deliver)
}

func (o *outbox) Send(_ context.Context, _ int64, msg handler.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.fail) > 0 {
		err := o.fail[0]
		o.fail = o.fail[1:]
		if err != nil && !errors.Is(err, handler.ErrMaybeDelivered) {
			return err
		}
		if err != nil {
			o.texts = append(o.texts, msg.Text)
			return err
		}
	}
	o.texts = append(o.texts, msg.Text)
	return nil
}

func (o *outbox) sent() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.texts)
}

// apiError is a send error that says whether it may pass, as botapi's does.
type apiError struct {
	status int
}

func (e *apiError) Error() string   { return fmt.Sprintf("answered %d", e.status) }
func (e *apiError) Temporary() bool { return e.status >= 500 }

type statefulBot struct {
	mux   *handler.Mux
	out   *outbox
	store handler.Store
	logs  *bytes.Buffer
	runs  int // handler runs
}

// newStatefulBot: "add" adds one and replies the tally, "get" replies it,
// "quiet" adds one silently, "two" adds one and replies twice, "fail" adds
// one, replies and returns an error, "reset" resets.
func newStatefulBot(t *testing.T, store handler.Store, opts ...handler.Option) *statefulBot {
	t.Helper()
	b := &statefulBot{out: &outbox{}, store: store, logs: &bytes.Buffer{}}
	opts = append([]handler.Option{
		handler.WithSender(b.out), handler.WithStore(store),
		handler.WithLogger(slog.New(slog.NewJSONHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}, opts...)
	mux, err := handler.New(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux.OnText("add", func(ctx context.Context, ev *handler.Event) error {
		b.runs++
		s := tallies.Get(ev)
		s.N++
		return ev.Reply(ctx, strconv.Itoa(s.N))
	})
	mux.OnText("get", func(ctx context.Context, ev *handler.Event) error {
		b.runs++
		return ev.Reply(ctx, strconv.Itoa(tallies.Get(ev).N))
	})
	mux.OnText("quiet", func(ctx context.Context, ev *handler.Event) error {
		b.runs++
		tallies.Get(ev).N++
		return nil
	})
	mux.OnText("two", func(ctx context.Context, ev *handler.Event) error {
		b.runs++
		s := tallies.Get(ev)
		s.N++
		ev.Reply(ctx, "first "+strconv.Itoa(s.N))
		return ev.Reply(ctx, "second "+strconv.Itoa(s.N))
	})
	mux.OnText("fail", func(ctx context.Context, ev *handler.Event) error {
		b.runs++
		tallies.Get(ev).N++
		ev.Reply(ctx, "should never leave")
		return errors.New("handler failed")
	})
	mux.OnText("reset", func(ctx context.Context, ev *handler.Event) error {
		b.runs++
		tallies.Reset(ev)
		return ev.Reply(ctx, strconv.Itoa(tallies.Get(ev).N))
	})
	b.mux = mux
	return b
}

func (b *statefulBot) send(t *testing.T, uid int64, text string) int {
	t.Helper()
	b.logs.Reset()
	return serve(b.mux, "POST", "application/json", token, sociogramtest.ChatMessage(uid, text)).Code
}

func (b *statefulBot) record(t *testing.T, uid int64) handler.Record {
	t.Helper()
	rec, err := b.store.Get(context.Background(), strconv.FormatInt(uid, 10))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestStateWithoutStoreFailsTheTurn(t *testing.T) {
	var logs bytes.Buffer
	rec := &recorder{}
	b, err := handler.New(token, handler.WithSender(rec), handler.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	b.OnAnyText(func(ctx context.Context, ev *handler.Event) error {
		tallies.Get(ev).N++
		tallies.Reset(ev)
		return nil
	})
	if w := serve(b, "POST", "application/json", token, sociogramtest.ChatMessage(1, "hi")); w.Code != 500 {
		t.Errorf("status = %d, want 500", w.Code)
	}
	if !strings.Contains(logs.String(), "no state store configured (handler.WithStore)") {
		t.Errorf("log does not say why: %s", logs.String())
	}
}

func TestTurnCommitsThenSends(t *testing.T) {
	b := newStatefulBot(t, memstore.New())
	for i, want := range []string{"1", "2", "3"} {
		if code := b.send(t, 5, "add"); code != 200 {
			t.Fatalf("add %d: status %d", i, code)
		}
		if got := b.out.sent(); got[len(got)-1] != want {
			t.Fatalf("add %d replied %v, want %s", i, got, want)
		}
	}
	// The reply was cleared from the outbox once sent.
	if rec := b.record(t, 5); !bytes.Equal(rec.Data, []byte(`{"s":{"handler_test.tally":{"N":3}}}`)) {
		t.Errorf("record = %s", rec.Data)
	}
}

func TestFailedHandlerCommitsAndSendsNothing(t *testing.T) {
	for _, text := range []string{"fail", "boom"} {
		t.Run(text, func(t *testing.T) {
			b := newStatefulBot(t, memstore.New())
			b.mux.OnText("boom", func(ctx context.Context, ev *handler.Event) error {
				tallies.Get(ev).N++
				ev.Reply(ctx, "should never leave")
				panic("kaboom")
			})
			if code := b.send(t, 5, text); code != 500 {
				t.Errorf("status = %d, want 500", code)
			}
			if got := b.out.sent(); len(got) != 0 {
				t.Errorf("a failed turn sent %q", got)
			}
			if rec := b.record(t, 5); rec.Version != 0 {
				t.Errorf("a failed turn wrote %s", rec.Data)
			}
		})
	}
}

// racingStore commits a competing turn just before each of the first n Puts.
type racingStore struct {
	*memstore.Store
	n int
}

func (s *racingStore) Put(ctx context.Context, key string, rec handler.Record) error {
	if s.n > 0 {
		s.n--
		cur, _ := s.Store.Get(ctx, key)
		cur.Data = []byte(`{"s":{"handler_test.tally":{"N":100}}}`)
		if err := s.Store.Put(ctx, key, cur); err != nil {
			return err
		}
	}
	return s.Store.Put(ctx, key, rec)
}

func TestConflictRerunsOnFreshState(t *testing.T) {
	b := newStatefulBot(t, &racingStore{Store: memstore.New(), n: 2})
	if code := b.send(t, 5, "add"); code != 200 {
		t.Fatalf("status %d", code)
	}
	if got := b.out.sent(); !slices.Equal(got, []string{"101"}) {
		t.Errorf("sent %q, want only the winning attempt's reply [101]", got)
	}
	if b.runs != 3 {
		t.Errorf("handler ran %d times, want 3 (two conflicts)", b.runs)
	}
	if !strings.Contains(b.logs.String(), `"attempts":3`) {
		t.Errorf("log line does not count the attempts: %s", b.logs.String())
	}
}

func TestConflictsExhaustedAnswer503(t *testing.T) {
	var hooked int
	b := newStatefulBot(t, &racingStore{Store: memstore.New(), n: 1000},
		handler.WithErrorHandler(func(context.Context, *handler.Event, error) { hooked++ }))
	w := serve(b.mux, "POST", "application/json", token, sociogramtest.ChatMessage(5, "add"))
	if w.Code != 503 || w.Header().Get("Retry-After") != "1" {
		t.Errorf("status %d Retry-After %q, want 503 and 1", w.Code, w.Header().Get("Retry-After"))
	}
	if got := b.out.sent(); len(got) != 0 {
		t.Errorf("a turn that never committed sent %q", got)
	}
	if b.runs != 10 || hooked != 0 {
		t.Errorf("handler ran %d times (want 10), error hook called %d times (want 0)", b.runs, hooked)
	}
}

func TestRedeliveryResendsWithoutRerunning(t *testing.T) {
	b := newStatefulBot(t, memstore.New())
	b.out.fail = []error{nil, &apiError{503}}
	if code := b.send(t, 5, "two"); code != 500 {
		t.Fatalf("status %d, want 500 (second reply failed)", code)
	}
	if code := b.send(t, 5, "two"); code != 200 {
		t.Fatalf("redelivery: status %d", code)
	}
	if got := b.out.sent(); !slices.Equal(got, []string{"first 1", "second 1"}) {
		t.Errorf("sent %q, want each reply once", got)
	}
	if !strings.Contains(b.logs.String(), `"redelivery":true`) {
		t.Errorf("log line does not say it was a redelivery: %s", b.logs.String())
	}
	if b.send(t, 5, "get"); b.out.sent()[2] != "1" {
		t.Errorf("tally %s after one event delivered twice, want 1", b.out.sent()[2])
	}
}

func TestNextEventDeliversPendingRepliesFirst(t *testing.T) {
	b := newStatefulBot(t, memstore.New())
	b.out.fail = []error{&apiError{503}}
	if code := b.send(t, 5, "add"); code != 500 {
		t.Fatalf("status %d, want 500", code)
	}
	if code := b.send(t, 5, "get"); code != 200 {
		t.Fatalf("status %d", code)
	}
	if got := b.out.sent(); !slices.Equal(got, []string{"1", "1"}) {
		t.Errorf("sent %q, want the pending reply then the new one", got)
	}
	if !strings.Contains(b.logs.String(), `"carried":1`) {
		t.Errorf("log does not count the carried reply: %s", b.logs.String())
	}
	if rec := b.record(t, 5); strings.Contains(string(rec.Data), `"o"`) {
		t.Errorf("outbox not cleared: %s", rec.Data)
	}
}

func TestPermanentSendFailureIsNotKept(t *testing.T) {
	b := newStatefulBot(t, memstore.New())
	b.out.fail = []error{&apiError{400}}
	if code := b.send(t, 5, "add"); code != 500 {
		t.Fatalf("status %d, want 500 (reply refused)", code)
	}
	// The redelivery neither reruns the turn nor tries the refused reply again.
	if code := b.send(t, 5, "add"); code != 200 {
		t.Fatalf("redelivery: status %d", code)
	}
	if len(b.out.sent()) != 0 {
		t.Errorf("redelivery sent %q; want nothing", b.out.sent())
	}
	if code := b.send(t, 5, "get"); code != 200 || !slices.Equal(b.out.sent(), []string{"1"}) {
		t.Errorf("next event: %d %q, want 200 [1] (nothing left pending)", code, b.out.sent())
	}
}

func TestMaybeDeliveredCountsAsSent(t *testing.T) {
	b := newStatefulBot(t, memstore.New())
	b.out.fail = []error{fmt.Errorf("conn reset: %w", handler.ErrMaybeDelivered)}
	if code := b.send(t, 5, "add"); code != 200 {
		t.Fatalf("status %d, want 200 with a warning", code)
	}
	if !strings.Contains(b.logs.String(), `"level":"WARN"`) {
		t.Errorf("no warning: %s", b.logs.String())
	}
	if code := b.send(t, 5, "get"); code != 200 || !slices.Equal(b.out.sent(), []string{"1", "1"}) {
		t.Errorf("next event: %d %q, want the uncertain reply not resent", code, b.out.sent())
	}
}

func TestOrphansAndYoungEntries(t *testing.T) {
	clk := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	store := memstore.New()
	young := clk.Add(-5 * time.Second).UnixMilli() // within the lease (2 x 10 s): a turn still sending
	old := clk.Add(-time.Minute).UnixMilli()       // past the lease: that turn died
	data := fmt.Sprintf(`{"o":[{"f":"a","t":0,"m":[{"text":"abandoned"}]},{"f":"b","t":%d,"m":[{"text":"young"}]},{"f":"c","t":%d,"m":[{"text":"old"}]}]}`, young, old)
	if err := store.Put(context.Background(), "5", handler.Record{Data: []byte(data)}); err != nil {
		t.Fatal(err)
	}
	b := newStatefulBot(t, store, handler.WithClock(func() time.Time { return clk }))
	if code := b.send(t, 5, "add"); code != 200 {
		t.Fatalf("status %d", code)
	}
	if got := b.out.sent(); !slices.Equal(got, []string{"abandoned", "old", "1"}) {
		t.Errorf("sent %q, want the orphans in order, then the reply", got)
	}
	rec := b.record(t, 5)
	if !strings.Contains(string(rec.Data), `"young"`) || strings.Contains(string(rec.Data), "abandoned") {
		t.Errorf("record %s: want the young entry kept, the orphans gone", rec.Data)
	}
}

func TestNothingChangedWritesNothing(t *testing.T) {
	b := newStatefulBot(t, memstore.New())
	b.send(t, 5, "add")
	v := b.record(t, 5).Version
	for _, text := range []string{"get", "get", "nope"} {
		if code := b.send(t, 5, text); code != 200 {
			t.Fatalf("%s: status %d", text, code)
		}
	}
	if got := b.record(t, 5).Version; got != v {
		t.Errorf("version %d -> %d after turns that changed nothing", v, got)
	}
	// A reset to the zero value of a user with no state changes nothing either.
	b.send(t, 6, "reset")
	if rec := b.record(t, 6); rec.Version != 0 {
		t.Errorf("reset of no state wrote %s", rec.Data)
	}
	b.send(t, 5, "reset")
	if rec := b.record(t, 5); strings.Contains(string(rec.Data), "tally") {
		t.Errorf("reset kept the state: %s", rec.Data)
	}
}

func TestReadOnlyTurnKeepsActiveUserAlive(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newStatefulBot(t, memstore.New(), handler.WithStateTTL(time.Hour), handler.WithClock(func() time.Time { return now }))
	b.send(t, 5, "add")
	v := b.record(t, 5).Version
	now = now.Add(20 * time.Minute) // 40 minutes left: no write
	b.send(t, 5, "get")
	if got := b.record(t, 5).Version; got != v {
		t.Fatalf("read with most of the TTL left wrote (version %d -> %d)", v, got)
	}
	now = now.Add(20 * time.Minute) // 20 minutes left: refresh
	b.send(t, 5, "get")
	rec := b.record(t, 5)
	if !rec.Expires.Equal(now.Add(time.Hour)) {
		t.Errorf("Expires = %v, want refreshed to %v", rec.Expires, now.Add(time.Hour))
	}
	now = now.Add(59 * time.Minute)
	b.send(t, 5, "get")
	if got := b.out.sent(); got[len(got)-1] != "1" {
		t.Errorf("state of an active user expired: %q", got)
	}
}

func TestBadStoredDataFailsCleanly(t *testing.T) {
	tests := []struct{ name, data, log string }{
		{"not JSON", `{"s":`, "corrupt"},
		{"not an object", `null`, "corrupt"},
		{"state of another type", `{"s":{"handler_test.tally":"seven"}}`, `state \"handler_test.tally\" of uid 5 does not decode`},
		{"outbox entry without fingerprint", `{"o":[{"t":1,"m":[]}]}`, "corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := memstore.New()
			store.Put(context.Background(), "5", handler.Record{Data: []byte(tt.data)})
			b := newStatefulBot(t, store)
			if code := b.send(t, 5, "add"); code != 500 {
				t.Errorf("status %d, want 500", code)
			}
			if !strings.Contains(b.logs.String(), tt.log) {
				t.Errorf("log %s does not contain %q", b.logs.String(), tt.log)
			}
			if len(b.out.sent()) != 0 || b.record(t, 5).Version != 1 {
				t.Errorf("a failed turn sent %q or wrote", b.out.sent())
			}
		})
	}
}

// failingStore fails every call.
type failingStore struct{}

func (failingStore) Get(context.Context, string) (handler.Record, error) {
	return handler.Record{}, errors.New("table not found")
}
func (failingStore) Put(context.Context, string, handler.Record) error { return errors.New("nope") }

func TestStoreErrorIs500(t *testing.T) {
	b := newStatefulBot(t, failingStore{})
	if code := b.send(t, 5, "add"); code != 500 {
		t.Errorf("status %d, want 500", code)
	}
	if !strings.Contains(b.logs.String(), "reading the state of uid 5: table not found") {
		t.Errorf("log: %s", b.logs.String())
	}
	// An event no route takes, or whose handler uses no state, reads nothing.
	b.mux.OnText("help", func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "help") })
	for _, text := range []string{"no route", "help"} {
		if code := b.send(t, 5, text); code != 200 {
			t.Errorf("%s: %d, want 200 without a store call", text, code)
		}
	}
	if got := b.out.sent(); !slices.Equal(got, []string{"help"}) {
		t.Errorf("sent %q", got)
	}
}

func TestStateLogLineAtDebugOnly(t *testing.T) {
	var logs bytes.Buffer
	b := newStatefulBot(t, memstore.New(), handler.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	b.send(t, 5, "add")
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("want one JSON line: %q", logs.String())
	}
	if _, ok := line["state"]; ok {
		t.Errorf("state attributes at info level: %s", logs.String())
	}
	b = newStatefulBot(t, memstore.New()) // logs at debug
	b.send(t, 5, "add")
	if !strings.Contains(b.logs.String(), `"state":{"attempts":1,"reads":1,"writes":2,"redelivery":false,"sent":1,"carried":0}`) {
		t.Errorf("debug line: %s", b.logs.String())
	}
}

func TestNewStatePanicsAtRegistration(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"duplicate", func() { handler.NewState[tally]("handler_test.tally") }, "declared twice"},
		{"empty", func() { handler.NewState[tally]("") }, "needs a name"},
		{"not JSON", func() { handler.NewState[struct{ C chan int }]("handler_test.chan") }, "cannot be encoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), tt.want) {
					t.Errorf("panic %v, want one saying %q", p, tt.want)
				}
			}()
			tt.f()
		})
	}
}

func TestStateOptionsChecked(t *testing.T) {
	for _, opt := range []handler.Option{handler.WithStateTTL(0), handler.WithClock(nil)} {
		if _, err := handler.New(token, handler.WithStore(memstore.New()), opt); err == nil {
			t.Error("New accepted a bad state option")
		}
	}
}
