package sociogramtest_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
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
