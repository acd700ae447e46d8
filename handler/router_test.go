package handler_test

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// routedBot registers one handler per route kind; each records its name and
// what the route extracted.
func routedBot(t *testing.T, got *[]string) *handler.Mux {
	t.Helper()
	b, err := handler.New(token, handler.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	mark := func(name string) handler.HandlerFunc {
		return func(_ context.Context, ev *handler.Event) error {
			*got = append(*got, name+"|"+ev.Command+"|"+ev.Args+"|"+strings.Join(ev.Matches, ","))
			return nil
		}
	}
	// Registered in an order that differs from the priority on purpose.
	b.OnAnyText(mark("any"))
	b.OnRegexp(regexp.MustCompile(`^order (\d+)$`), mark("order"))
	b.OnRegexp(regexp.MustCompile(`(?i)hello`), mark("hello"))
	b.OnRegexp(regexp.MustCompile(`(?i)hello world`), mark("hello-world"))
	b.OnCommand("start", mark("start"))
	b.OnCommand("/help", mark("help"))
	b.OnText("/start exact", mark("exact"))
	b.OnFallback(handler.EventChatMessage, mark("msg-fallback"))
	b.OnCallbackPrefix("page:", mark("page"))
	b.OnCallbackPrefix("page:admin:", mark("admin-page"))
	b.OnCallback("page:1", mark("page-1"))
	b.OnFallback(handler.EventCallbackQuery, mark("cb-fallback"))
	return b
}

func TestRouting(t *testing.T) {
	tests := []struct {
		body []byte
		want string
	}{
		{sociogramtest.ChatMessage(1, "/start exact"), "exact|||"},
		{sociogramtest.ChatMessage(1, "/start"), "start|start||"},
		{sociogramtest.ChatMessage(1, "/start  ref 42 "), "start|start|ref 42|"},
		{sociogramtest.ChatMessage(1, "/start\tref"), "start|start|ref|"},
		{sociogramtest.ChatMessage(1, "/help me"), "help|help|me|"},
		{sociogramtest.ChatMessage(1, "/unknown hello"), "hello|||hello"},
		{sociogramtest.ChatMessage(1, "/"), "any|||"},
		{sociogramtest.ChatMessage(1, "order 66"), "order|||order 66,66"},
		{sociogramtest.ChatMessage(1, "Hello World"), "hello|||Hello"}, // first registered regexp wins
		{sociogramtest.ChatMessage(1, "anything"), "any|||"},
		{sociogramtest.ChatMessage(1, ""), "msg-fallback|||"},
		{sociogramtest.CallbackQuery(1, "page:1"), "page-1|||"},
		{sociogramtest.CallbackQuery(1, "page:2"), "page|||"},
		{sociogramtest.CallbackQuery(1, "page:admin:3"), "admin-page|||"},
		{sociogramtest.CallbackQuery(1, "other"), "cb-fallback|||"},
	}
	for _, tt := range tests {
		t.Run(string(tt.body), func(t *testing.T) {
			var got []string
			b := routedBot(t, &got)
			if w := serve(b, "POST", "", token, tt.body); w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("dispatched to %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMiddlewareOrder(t *testing.T) {
	var trace []string
	b, _ := handler.New(token, handler.WithLogger(slog.New(slog.DiscardHandler)))
	mw := func(name string) handler.Middleware {
		return func(next handler.HandlerFunc) handler.HandlerFunc {
			return func(ctx context.Context, ev *handler.Event) error {
				trace = append(trace, name+">")
				err := next(ctx, ev)
				trace = append(trace, "<"+name)
				return err
			}
		}
	}
	b.Use(mw("outer"), mw("inner"))
	b.OnAnyText(func(context.Context, *handler.Event) error { trace = append(trace, "h"); return nil })
	serve(b, "POST", "", token, sociogramtest.ChatMessage(1, "x"))
	if got := strings.Join(trace, " "); got != "outer> inner> h <inner <outer" {
		t.Errorf("trace = %q", got)
	}
}

func TestRegistrationPanics(t *testing.T) {
	h := func(context.Context, *handler.Event) error { return nil }
	tests := map[string]func(b *handler.Mux){
		"duplicate text":     func(b *handler.Mux) { b.OnText("a", h); b.OnText("a", h) },
		"duplicate command":  func(b *handler.Mux) { b.OnCommand("a", h); b.OnCommand("/a", h) },
		"bad command":        func(b *handler.Mux) { b.OnCommand("two words", h) },
		"empty command":      func(b *handler.Mux) { b.OnCommand("/", h) },
		"duplicate callback": func(b *handler.Mux) { b.OnCallback("a", h); b.OnCallback("a", h) },
		"duplicate prefix":   func(b *handler.Mux) { b.OnCallbackPrefix("a", h); b.OnCallbackPrefix("a", h) },
		"nil handler":        func(b *handler.Mux) { b.OnText("a", nil) },
		"nil regexp":         func(b *handler.Mux) { b.OnRegexp(nil, h) },
		"two any-text":       func(b *handler.Mux) { b.OnAnyText(h); b.OnAnyText(h) },
		"unknown fallback":   func(b *handler.Mux) { b.OnFallback("wallet", h) },
		"nil middleware":     func(b *handler.Mux) { b.Use(nil) },
	}
	for name, register := range tests {
		t.Run(name, func(t *testing.T) {
			b, _ := handler.New(token)
			defer func() {
				p := recover()
				if s, ok := p.(string); !ok || !strings.HasPrefix(s, "handler: ") {
					t.Errorf("panic = %v, want a message prefixed \"handler: \"", p)
				}
			}()
			register(b)
		})
	}
}
