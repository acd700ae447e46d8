package handler_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// Size is the payload of a signed button: short JSON names keep its
// callback data short.
type Size struct {
	Code string `json:"c"`
}

// sizes is declared once, at package level: its buttons expire after ten
// minutes and only the user they were sent to may click them.
var sizes = handler.NewSignedButton[Size]("size", handler.ButtonTTL(10*time.Minute), handler.ButtonForUser())

func ExampleNewSignedButton() {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	var sent []handler.Message
	bot, _ := handler.New("my-token", // the button key is derived from the token; or WithButtonKey
		handler.WithClock(func() time.Time { return now }),
		handler.WithSender(handler.SenderFunc(func(_ context.Context, _ int64, m handler.Message) error {
			sent = append(sent, m)
			fmt.Println(m.Text)
			return nil
		})),
		handler.WithLogger(slog.New(slog.DiscardHandler)))
	bot.OnCommand("size", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "Which size?", handler.Row(
			sizes.Button(ev, "Small", Size{"s"}),
			sizes.Button(ev, "Large", Size{"l"})))
	})
	handler.OnSignedButton(bot, sizes, func(ctx context.Context, ev *handler.Event, s Size) error {
		return ev.Reply(ctx, "You chose size "+s.Code)
	})
	deliver := func(body []byte) {
		bot.ServeHTTP(httptest.NewRecorder(), sociogramtest.NewRequest("my-token", body))
	}

	deliver(sociogramtest.ChatMessage(7, "/size"))
	large := sent[0].ButtonMarkup[0][1].CallbackData
	fmt.Println(len(large), "bytes of callback data")

	deliver(sociogramtest.CallbackQuery(7, large))                // the user's own click
	deliver(sociogramtest.CallbackQuery(8, large))                // someone else sends the same data
	deliver(sociogramtest.CallbackQuery(7, large[:len(large)-1])) // tampered with
	now = now.Add(10 * time.Minute)
	deliver(sociogramtest.CallbackQuery(7, large)) // too late
	// Output:
	// Which size?
	// 49 bytes of callback data
	// You chose size l
	// Sorry, this button was meant for someone else.
	// Sorry, this button no longer works. Please start again.
	// Sorry, this button has expired. Please start again.
}
