package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/internal/testtools"
)

func TestQueueURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/webhook":         "http://127.0.0.1:8080/queue",
		"https://bot.example/hooks/webhook?x=1": "https://bot.example/hooks/queue",
		"http://127.0.0.1:8080/":                "http://127.0.0.1:8080/queue",
		"http://127.0.0.1:8080":                 "http://127.0.0.1:8080/queue",
	} {
		if got, err := emulator.QueueURL(in); err != nil || got != want {
			t.Errorf("QueueURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// fakeQueueBot serves GET /queue with depth set by the test, counting calls
// and failing any that carries the token.
type fakeQueueBot struct {
	t      *testing.T
	depth  atomic.Int64
	calls  atomic.Int64
	status int
}

func (b *fakeQueueBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/queue" || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	b.calls.Add(1)
	if r.Header.Get("X-App-Key") != "" {
		b.t.Error("the emulator sent X-App-Key to the bot's /queue")
	}
	if b.status != 0 {
		http.Error(w, "no", b.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"depth":%d,"sent":97,"failed":2,"oldest_age_ms":1500}`, b.depth.Load())
}

// TestQueueRelayed: GET /emulator/queue relays the bot's numbers, fetched
// at most once a second on the emulator's clock and again when the bot URL
// changes.
func TestQueueRelayed(t *testing.T) {
	fb := &fakeQueueBot{t: t}
	fb.depth.Store(3)
	bot := httptest.NewServer(fb)
	defer bot.Close()
	clock := newClock()
	_, base := start(t, emulator.WithClock(clock), emulator.WithBotURL(bot.URL+"/webhook"))

	want := emulator.QueueStats{Depth: 3, Sent: 97, Failed: 2, OldestAgeMS: 1500}
	if got := getEmuQueue(t, base); got == nil || *got != want {
		t.Fatalf("queue = %+v, want %+v", got, want)
	}
	fb.depth.Store(0)
	if got := getEmuQueue(t, base); got == nil || got.Depth != 3 || fb.calls.Load() != 1 {
		t.Errorf("within a second: queue = %+v after %d calls to the bot, want the cached depth 3 after 1", got, fb.calls.Load())
	}
	clock.Advance(1100 * time.Millisecond)
	if got := getEmuQueue(t, base); got == nil || got.Depth != 0 || fb.calls.Load() != 2 {
		t.Errorf("a second later: queue = %+v after %d calls, want depth 0 after 2", got, fb.calls.Load())
	}

	// Another bot URL is asked at once; a bot without a queue route: 204.
	other := httptest.NewServer(&fakeQueueBot{t: t, status: http.StatusNotFound})
	defer other.Close()
	pageCall(t, "PUT", base+emulator.SettingsPath, emulator.Settings{BotURL: other.URL + "/webhook"})
	if got := getEmuQueue(t, base); got != nil {
		t.Errorf("bot answering 404: queue = %+v, want none", got)
	}
}

// TestQueueAbsent: a bot that is down, or answers /queue with something
// other than its numbers, shows no queue.
func TestQueueAbsent(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	junk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("<html>hi</html>"))
	}))
	defer junk.Close()
	failing := httptest.NewServer(&fakeQueueBot{t: t, status: http.StatusInternalServerError})
	defer failing.Close()
	for name, u := range map[string]string{"down": down.URL, "junk": junk.URL, "500": failing.URL} {
		_, base := start(t, emulator.WithBotURL(u+"/webhook"))
		if got := getEmuQueue(t, base); got != nil {
			t.Errorf("%s: queue = %+v, want none", name, got)
		}
	}
}

// TestQueueFromBinary: bin/webhook (the fixture bot's) with
// SOCIOGRAM_REPLY_QUEUE=local shows
// its queue through the emulator, the reply to "hello" counted sent; without
// the queue it shows none.
func TestQueueFromBinary(t *testing.T) {
	bin := testtools.Build(t, testtools.FixtureWebhook)
	for _, queued := range []bool{true, false} {
		t.Run(fmt.Sprintf("queued=%v", queued), func(t *testing.T) {
			emu, base := start(t, emulator.WithUser(12345, "Alice"))
			port := testtools.FreePort(t)
			env := []string{"SOCIOGRAM_BOT_TOKEN=" + token, "SOCIOGRAM_API_URL=" + base, fmt.Sprintf("PORT=%d", port)}
			if queued {
				env = append(env, "SOCIOGRAM_REPLY_QUEUE=local")
			}
			testtools.Start(t, bin, env)
			bot := fmt.Sprintf("http://127.0.0.1:%d", port)
			testtools.WaitHTTP(t, bot+"/healthz", 20*time.Second)
			pageCall(t, "PUT", base+emulator.SettingsPath, emulator.Settings{BotURL: bot + "/webhook"})
			if !queued {
				if got := getEmuQueue(t, base); got != nil {
					t.Errorf("bot without a queue: queue = %+v, want none", got)
				}
				return
			}
			if got := getEmuQueue(t, base); got == nil || *got != (emulator.QueueStats{}) {
				t.Fatalf("idle queue = %+v, want all zero", got)
			}
			if o := outcome(t, pageCall(t, "POST", base+emulator.MessagePath, map[string]any{"uid": 12345, "text": "hello"})); !o.Log.OK {
				t.Fatalf("delivery = %+v", o.Log)
			}
			deadline := time.Now().Add(20 * time.Second)
			got := getEmuQueue(t, base)
			for ; (got == nil || got.Sent < 1) && time.Now().Before(deadline); got = getEmuQueue(t, base) {
				time.Sleep(200 * time.Millisecond)
			}
			if got == nil || *got != (emulator.QueueStats{Sent: 1}) {
				t.Errorf("after hello: queue = %+v, want 1 sent, none waiting", got)
			}
			if chat := emu.State().Chats[12345]; len(chat) != 2 || chat[1].Text != `Hello there! You said: "hello"` {
				t.Errorf("chat = %+v", chat)
			}
		})
	}
}

// getEmuQueue reads GET /emulator/queue: the numbers on 200, nil on 204.
func getEmuQueue(t *testing.T, base string) *emulator.QueueStats {
	t.Helper()
	a := call(t, http.MethodGet, base+emulator.QueuePath, nil, "")
	switch a.Status {
	case http.StatusNoContent:
		if a.Body != "" {
			t.Errorf("204 with a body %q", a.Body)
		}
		return nil
	case http.StatusOK:
		var s emulator.QueueStats
		if err := json.Unmarshal([]byte(a.Body), &s); err != nil {
			t.Fatalf("GET %s: %v in %q", emulator.QueuePath, err, a.Body)
		}
		return &s
	}
	t.Fatalf("GET %s answered %d %q", emulator.QueuePath, a.Status, a.Body)
	return nil
}
