package conversation_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/sociogram-kit/kit/conversation"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"
)

// Feedback is what the flow collects.
type Feedback struct {
	Topic string
	Text  string
}

// feedback is declared once, at package level.
var feedback = conversation.New("feedback", conversation.Flow[Feedback]{
	Steps: []conversation.Step[Feedback]{
		conversation.Text("What is it about?", func(s string, f *Feedback) error {
			f.Topic = strings.TrimSpace(s)
			return nil
		}),
		conversation.Text("Tell me more (at least 10 characters).", func(s string, f *Feedback) error {
			if len(strings.TrimSpace(s)) < 10 {
				return conversation.Retry("That is a bit short.")
			}
			f.Text = s
			return nil
		}),
	},
	Done: func(ctx context.Context, ev *handler.Event, f Feedback) error {
		return ev.Reply(ctx, fmt.Sprintf("Thanks! Noted about %s: %q", f.Topic, f.Text))
	},
})

func Example() {
	bot, _ := handler.New("my-token",
		handler.WithStore(memstore.New()), // in production: the adapter's store
		handler.WithSender(handler.SenderFunc(func(_ context.Context, _ int64, m handler.Message) error {
			fmt.Printf("bot: %q\n", m.Text)
			return nil
		})),
		handler.WithLogger(slog.New(slog.DiscardHandler)))
	feedback.Register(bot)
	bot.OnCommand("feedback", feedback.Start)
	bot.OnCommand("help", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "/feedback to tell us something")
	})

	for _, text := range []string{"/feedback", "the app", "slow", "/help", "it is slow on start", "/feedback", "/cancel"} {
		fmt.Printf("user: %q\n", text)
		bot.ServeHTTP(httptest.NewRecorder(), sociogramtest.NewRequest("my-token", sociogramtest.ChatMessage(7, text)))
	}
	// Output:
	// user: "/feedback"
	// bot: "What is it about?"
	// user: "the app"
	// bot: "Tell me more (at least 10 characters)."
	// user: "slow"
	// bot: "That is a bit short.\n\nTell me more (at least 10 characters)."
	// user: "/help"
	// bot: "/feedback to tell us something"
	// user: "it is slow on start"
	// bot: "Thanks! Noted about the app: \"it is slow on start\""
	// user: "/feedback"
	// bot: "What is it about?"
	// user: "/cancel"
	// bot: "Cancelled."
}
