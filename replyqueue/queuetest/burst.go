package queuetest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/fixture"
	"github.com/sociogram-kit/kit/replyqueue"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// Token is the bot token the kit's fakes use.
const Token = "queue-test-token"

// Recorder keeps what the fake Bot API accepted, stamped with a clock (a
// Clock or a SimClock).
type Recorder struct {
	API   *sociogramtest.Server
	clock botapi.Clock
	mu    sync.Mutex
	sent  []Stamped
}

// Stamped is one accepted message and the Clock's time of its acceptance.
type Stamped struct {
	UID  int64
	Text string
	At   time.Time
}

// NewRecorder starts the fake Bot API and records what it accepts.
func NewRecorder(t *testing.T, clock botapi.Clock) *Recorder {
	r := &Recorder{API: sociogramtest.NewServer(t, Token), clock: clock}
	r.API.Observe(func(s sociogramtest.Sent) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.sent = append(r.sent, Stamped{UID: s.UID, Text: s.Message.Text, At: clock.Now()})
	})
	return r
}

// Sent returns what was accepted so far.
func (r *Recorder) Sent() []Stamped {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Stamped(nil), r.sent...)
}

// Client returns a Bot API client for the fake on the recorder's clock, with
// quick retries.
func (r *Recorder) Client() *botapi.Client {
	return botapi.New(Token, botapi.WithBaseURL(r.API.URL), botapi.WithClock(r.clock),
		botapi.WithRetry(3, 10*time.Millisecond))
}

// NewBot is the kit's fixture bot (internal/fixture, through config.Config.NewMux as every
// main builds it) replying through q.
func NewBot(t *testing.T, q replyqueue.Queue) *handler.Mux {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{config.EnvToken: Token, config.EnvInFlight: "1000"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	b, err := cfg.NewMux(handler.NewKeyring(cfg.Tokens...), logger, fixture.Register, replyqueue.Options(q)...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Text is what user uid writes in round n of a burst; the example bot
// answers each with one reply quoting it.
func Text(uid int64, n int) string { return fmt.Sprintf("hello %d #%d", uid, n) }

// Burst makes users (uids 1..users) each send one webhook at once, then
// the first again users a second one, and fails the test unless every
// webhook is answered 200 before its deadline (the core answers 500 when it
// runs out). It returns how many replies the bot queued.
func Burst(t *testing.T, bot http.Handler, users, again int) int {
	t.Helper()
	round := func(n, count int) {
		var wg sync.WaitGroup
		for uid := int64(1); uid <= int64(count); uid++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := sociogramtest.NewRequest(Token, sociogramtest.ChatMessage(uid, Text(uid, n)))
				ctx, cancel := context.WithTimeout(req.Context(), handler.DefaultTimeout)
				defer cancel()
				rec := httptest.NewRecorder()
				bot.ServeHTTP(rec, req.WithContext(ctx))
				if rec.Code != http.StatusOK {
					t.Errorf("webhook of uid %d round %d: %d %s", uid, n, rec.Code, rec.Body)
				}
			}()
		}
		wg.Wait()
	}
	round(1, users)
	round(2, again)
	return users + again
}

// Check fails the test unless sent holds exactly the replies to a Burst of
// users and again, each once, each user's in order, paced to the
// platform's limits.
func Check(t testing.TB, sent []Stamped, users, again int) {
	t.Helper()
	want := map[string]bool{}
	for uid := int64(1); uid <= int64(users); uid++ {
		want[reply(Text(uid, 1))] = true
		if uid <= int64(again) {
			want[reply(Text(uid, 2))] = true
		}
	}
	seen := map[string]int{}
	last := map[int64]Stamped{}
	for i, s := range sent {
		seen[s.Text]++
		if !want[s.Text] {
			t.Errorf("unexpected reply %q to uid %d", s.Text, s.UID)
		}
		if p, ok := last[s.UID]; ok {
			if s.At.Sub(p.At) < botapi.UserSpacing {
				t.Errorf("uid %d got two replies %s apart", s.UID, s.At.Sub(p.At))
			}
			if strings.HasSuffix(p.Text, "#2\"") && strings.HasSuffix(s.Text, "#1\"") {
				t.Errorf("uid %d: reply %q after %q", s.UID, s.Text, p.Text)
			}
		}
		last[s.UID] = s
		if i >= botapi.BotLimit {
			if d := s.At.Sub(sent[i-botapi.BotLimit].At); d < botapi.BotWindow {
				t.Errorf("%d replies within %s (sends %d..%d)", botapi.BotLimit+1, d, i-botapi.BotLimit, i)
			}
		}
	}
	var missing, dup []string
	for w := range want {
		switch seen[w] {
		case 0:
			missing = append(missing, w)
		case 1:
		default:
			dup = append(dup, w+" ×"+strconv.Itoa(seen[w]))
		}
	}
	sort.Strings(missing)
	sort.Strings(dup)
	if len(missing) > 0 {
		t.Errorf("%d replies never delivered, e.g. %q", len(missing), missing[0])
	}
	if len(dup) > 0 {
		t.Errorf("%d replies delivered more than once: %v", len(dup), dup)
	}
}

// reply is the example bot's answer to text.
func reply(text string) string { return `Hello there! You said: "` + text + `"` }

// testLog writes the bot's error lines (a webhook answered 500 says why) to
// the test's log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
