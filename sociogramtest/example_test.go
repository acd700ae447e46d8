package sociogramtest_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"
)

// A bot under test talks to the fake Bot API; the test delivers a webhook
// over real HTTP and reads what the bot sent.
func Example() {
	api := sociogramtest.NewAPI("test-token", nil)
	apiSrv := httptest.NewServer(api) // in a test: sociogramtest.NewServer(t, "test-token")
	defer apiSrv.Close()

	client := botapi.New("test-token", botapi.WithBaseURL(apiSrv.URL))
	bot, _ := handler.New("test-token", handler.WithSender(client), handler.WithLogger(slog.New(slog.DiscardHandler)))
	bot.OnCommand("start", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "Welcome!", handler.Row(handler.CallbackButton("Go", "go")))
	})
	botSrv := httptest.NewServer(bot)
	defer botSrv.Close()

	resp, err := sociogramtest.Deliver(context.Background(), botSrv.URL, "test-token", sociogramtest.ChatMessage(12345, "/start"))
	fmt.Println(resp.Status, err)
	for _, s := range api.Sent() {
		fmt.Println(s.UID, s.Message.Text, s.Message.ButtonMarkup[0][0].CallbackData)
	}
	// Output:
	// 200 <nil>
	// 12345 Welcome! go
}

// Faults make the fake misbehave, one request each, in order.
func ExampleAPI_Inject() {
	api := sociogramtest.NewAPI("test-token", nil)
	srv := httptest.NewServer(api)
	defer srv.Close()
	api.Inject(sociogramtest.Fault{Status: 503}, sociogramtest.Fault{Status: 429, RetryAfter: "0"})
	api.Refuse(777) // this user does not accept the bot's messages

	client := botapi.New("test-token", botapi.WithBaseURL(srv.URL), botapi.WithRetry(4, 0), botapi.WithRateLimit(false))
	fmt.Println(client.Send(context.Background(), 1, handler.Message{Text: "retried through a 503 and a 429"}))
	fmt.Println(client.Send(context.Background(), 777, handler.Message{Text: "refused"}))
	fmt.Println(len(api.Sent()), api.Refused())
	// Output:
	// <nil>
	// sociogram: send-message answered 400: {"success":false,"error":"user does not accept messages from this bot"}
	// 1 1
}

// A Clock moves the bot's time by hand: here a counter kept in per-user
// state for an hour starts over once the user has been idle longer.
func ExampleClock() {
	api := sociogramtest.NewAPI("test-token", nil)
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()

	clock := sociogramtest.NewClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	client := botapi.New("test-token", botapi.WithBaseURL(apiSrv.URL), botapi.WithRateLimit(false))
	bot, _ := handler.New("test-token", handler.WithSender(client), handler.WithStore(memstore.New()),
		handler.WithStateTTL(time.Hour), handler.WithClock(clock.Now), handler.WithLogger(slog.New(slog.DiscardHandler)))
	count := handler.NewState[int]("count")
	bot.OnAnyText(func(ctx context.Context, ev *handler.Event) error {
		n := count.Get(ev)
		*n++
		return ev.Reply(ctx, fmt.Sprint(*n))
	})
	botSrv := httptest.NewServer(bot)
	defer botSrv.Close()

	for _, idle := range []time.Duration{0, 30 * time.Minute, 2 * time.Hour} {
		clock.Advance(idle)
		sociogramtest.Deliver(context.Background(), botSrv.URL, "test-token", sociogramtest.ChatMessage(12345, "hi"))
	}
	for _, s := range api.Sent() {
		fmt.Println(s.Message.Text)
	}
	// Output:
	// 1
	// 2
	// 1
}
