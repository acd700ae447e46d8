package handler_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

func TestEventNow(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var got time.Time
	bot, err := handler.New("tok", handler.WithClock(func() time.Time { return at }), handler.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	bot.OnCommand("now", func(_ context.Context, ev *handler.Event) error { got = ev.Now(); return nil })
	bot.ServeHTTP(httptest.NewRecorder(), sociogramtest.NewRequest("tok", sociogramtest.ChatMessage(1, "/now")))
	if !got.Equal(at) {
		t.Errorf("ev.Now() = %v, want the Mux's clock %v", got, at)
	}
	if d := time.Since((&handler.Event{}).Now()); d < 0 || d > time.Minute {
		t.Errorf("an event no Mux dispatched: Now is %v off time.Now", d)
	}
}

// TestIntercept: intercepts see every event, routed or not, in order,
// inside Use's middleware, with the route's fields set; they may answer
// instead of the route.
func TestIntercept(t *testing.T) {
	var trail []string
	bot, _ := handler.New("tok", handler.WithLogger(slog.New(slog.DiscardHandler)),
		handler.WithSender(handler.SenderFunc(func(_ context.Context, _ int64, m handler.Message) error {
			trail = append(trail, "reply:"+m.Text)
			return nil
		})))
	mark := func(name string) handler.Middleware {
		return func(next handler.HandlerFunc) handler.HandlerFunc {
			return func(ctx context.Context, ev *handler.Event) error {
				trail = append(trail, name+":"+ev.Command)
				if name == "i1" && strings.HasPrefix(ev.Text, "stop") {
					return ev.Reply(ctx, "stopped")
				}
				return next(ctx, ev)
			}
		}
	}
	bot.Use(mark("use"))
	bot.Intercept(mark("i1"), mark("i2"))
	bot.OnCommand("go", func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "went") })
	for _, c := range []struct {
		text string
		want []string
	}{
		{"/go", []string{"use:go", "i1:go", "i2:go", "reply:went"}},
		{"no route", []string{"use:", "i1:", "i2:"}},
		{"stop here", []string{"use:", "i1:", "reply:stopped"}},
	} {
		trail = nil
		rec := httptest.NewRecorder()
		bot.ServeHTTP(rec, sociogramtest.NewRequest("tok", sociogramtest.ChatMessage(1, c.text)))
		if rec.Code != 200 || !slices.Equal(trail, c.want) {
			t.Errorf("%q: %d %q, want 200 %q", c.text, rec.Code, trail, c.want)
		}
	}
}
