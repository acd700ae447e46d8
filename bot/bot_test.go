package bot_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/sociogram-kit/kit/bot"
	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// These are the tests of the bot in this folder: change them with it.

const token = "test-token"

// start serves the bot on loopback with its replies going to a fake Bot API,
// as in production but without the platform's rate spacing (the fake has
// no limits, and the tests stay fast). It returns the fake and the bot's URL.
func start(t *testing.T) (*sociogramtest.Server, string) {
	t.Helper()
	api := sociogramtest.NewServer(t, token)
	client := botapi.New(token, botapi.WithBaseURL(api.URL), botapi.WithRateLimit(false))
	b, err := handler.New(token, handler.WithSender(client), handler.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	bot.Register(b)
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	return api, srv.URL
}

func TestReplies(t *testing.T) {
	api, url := start(t)
	cases := []struct {
		name  string
		event []byte
		want  []handler.Message // nil: the bot stays silent
	}{
		{"start shows the menu", sociogramtest.ChatMessage(1, "/start"), []handler.Message{{
			Text: "Welcome! What would you like to do?",
			ButtonMarkup: [][]handler.Button{
				handler.Row(handler.CallbackButton("👋 Greeting", "greeting")),
				handler.Row(handler.CallbackButton("🛍 Products", "menu_products")),
				handler.Row(handler.CallbackButton("🆘 Support", "menu_support")),
			},
		}}},
		{"hello in any case", sociogramtest.ChatMessage(1, "Well HELLO there"), []handler.Message{{
			Text:         `Hello there! You said: "Well HELLO there"`,
			ButtonMarkup: [][]handler.Button{handler.Row(handler.CallbackButton("Tell me more", "more_info"))},
		}}},
		{"other text: no reply", sociogramtest.ChatMessage(1, "what time is it?"), nil},
		{"greeting button", sociogramtest.CallbackQuery(1, "greeting"), []handler.Message{{Text: "Great to meet you! I'm here to help."}}},
		{"products button", sociogramtest.CallbackQuery(1, "menu_products"), []handler.Message{{Text: "Here are our products: Product A, Product B, Product C."}}},
		{"support button", sociogramtest.CallbackQuery(1, "menu_support"), []handler.Message{{
			Text: "How can I help you?",
			ButtonMarkup: [][]handler.Button{
				handler.Row(handler.URLButton("📖 Documentation", "https://docs.example.com")),
				handler.Row(handler.CallbackButton("💬 Live Chat", "support_live_chat")),
			},
		}}},
		{"any other button", sociogramtest.CallbackQuery(1, "more_info"), []handler.Message{{Text: "You clicked a button with data: more_info"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api.Reset()
			resp, err := sociogramtest.Deliver(context.Background(), url, token, c.event)
			if err != nil || resp.Status != 200 {
				t.Fatalf("webhook answered %+v, %v; want 200", resp, err)
			}
			var got []handler.Message
			for _, s := range api.Sent() {
				if s.UID != 1 {
					t.Errorf("reply to uid %d, want 1", s.UID)
				}
				got = append(got, s.Message)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("replies:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// The whole conversation a user has with the menu: every button the bot
// shows leads to a reply.
func TestMenuButtonsAllAnswer(t *testing.T) {
	api, url := start(t)
	if _, err := sociogramtest.Deliver(context.Background(), url, token, sociogramtest.ChatMessage(7, "/start")); err != nil {
		t.Fatal(err)
	}
	menu := api.Sent()
	if len(menu) != 1 {
		t.Fatalf("/start: %d replies, want the menu", len(menu))
	}
	for _, row := range menu[0].Message.ButtonMarkup {
		for _, b := range row {
			api.Reset()
			resp, err := sociogramtest.Deliver(context.Background(), url, token, sociogramtest.CallbackQuery(7, b.CallbackData))
			if err != nil || resp.Status != 200 || len(api.Sent()) != 1 {
				t.Errorf("pressing %q: %+v %v, %d replies; want 200 and one reply", b.Text, resp, err, len(api.Sent()))
			}
		}
	}
}
