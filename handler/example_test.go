package handler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"regexp"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// printSender prints each reply as its send-message body.
var printSender = handler.SenderFunc(func(_ context.Context, uid int64, msg handler.Message) error {
	b, _ := json.Marshal(map[string]any{"uid": uid, "message": msg})
	fmt.Println(string(b))
	return nil
})

func Example() {
	bot, err := handler.New("my-token",
		handler.WithSender(printSender), // in production: botapi.New(token)
		handler.WithLogger(slog.New(slog.DiscardHandler)),
	)
	if err != nil {
		panic(err)
	}
	bot.OnCommand("start", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "Welcome! Your referral code: "+ev.Args,
			handler.Row(handler.CallbackButton("Products", "menu_products")),
			handler.Row(handler.URLButton("Docs", "https://docs.example.com")),
		)
	})
	bot.OnCallback("menu_products", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "Here are our products.")
	})

	// Deliver two webhooks as the platform would.
	for _, body := range [][]byte{
		sociogramtest.ChatMessage(12345, "/start ref42"),
		sociogramtest.CallbackQuery(12345, "menu_products"),
	} {
		w := httptest.NewRecorder()
		bot.ServeHTTP(w, sociogramtest.NewRequest("my-token", body))
		fmt.Println(w.Code)
	}
	// Output:
	// {"message":{"text":"Welcome! Your referral code: ref42","buttonMarkup":[[{"text":"Products","callbackData":"menu_products"}],[{"text":"Docs","url":"https://docs.example.com"}]]},"uid":12345}
	// 200
	// {"message":{"text":"Here are our products."},"uid":12345}
	// 200
}

func ExampleMux_OnRegexp() {
	bot, _ := handler.New("my-token", handler.WithSender(printSender), handler.WithLogger(slog.New(slog.DiscardHandler)))
	bot.OnRegexp(regexp.MustCompile(`^order (\d+)$`), func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "Looking up order "+ev.Matches[1])
	})
	bot.ServeHTTP(httptest.NewRecorder(), sociogramtest.NewRequest("my-token", sociogramtest.ChatMessage(7, "order 66")))
	// Output:
	// {"message":{"text":"Looking up order 66"},"uid":7}
}

func ExampleMux_Use() {
	bot, _ := handler.New("my-token", handler.WithSender(printSender), handler.WithLogger(slog.New(slog.DiscardHandler)))
	onlyAdmins := func(next handler.HandlerFunc) handler.HandlerFunc {
		return func(ctx context.Context, ev *handler.Event) error {
			if ev.UID != 1 {
				return ev.Reply(ctx, "Sorry, admins only.")
			}
			return next(ctx, ev)
		}
	}
	bot.Use(onlyAdmins)
	bot.OnCommand("stats", func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "42 users") })
	for _, uid := range []int64{1, 2} {
		bot.ServeHTTP(httptest.NewRecorder(), sociogramtest.NewRequest("my-token", sociogramtest.ChatMessage(uid, "/stats")))
	}
	// Output:
	// {"message":{"text":"42 users"},"uid":1}
	// {"message":{"text":"Sorry, admins only."},"uid":2}
}

func ExampleParse() {
	u, err := handler.Parse([]byte(`{"data": {"callback-query": {"uid": 12345, "chatId": "507f1f77bcf86cd799439011", "callbackData": "menu_products"}}}`))
	fmt.Println(u.Type(), u.CallbackQuery.UID, u.CallbackQuery.CallbackData, err)
	_, err = handler.Parse([]byte(`{"data": {"chat-message": {"uid": "12345"}}}`))
	fmt.Println(err)
	// Output:
	// callback-query 12345 menu_products <nil>
	// invalid webhook: a field has the wrong JSON type (data.chat-message.uid is string, want a whole number)
}

func ExampleKeyring() {
	keys := handler.NewKeyring("new-token", "old-token") // during a rotation
	fmt.Println(keys.Verify(context.Background(), "old-token"), keys.Verify(context.Background(), "guess"))
	keys.Set("new-token") // rotation finished
	fmt.Println(keys.Verify(context.Background(), "old-token"), keys.Primary() == "new-token")
	fmt.Println(handler.Token("new-token"))
	// Output:
	// true false
	// false true
	// [REDACTED]
}
