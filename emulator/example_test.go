package emulator_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"regexp"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/handler"
)

// The emulator and a bot, in process: Alice writes, the bot replies through
// the emulator's Bot API.
func Example() {
	const token = "example-token"
	emu, err := emulator.New(token, emulator.WithUser(12345, "Alice"))
	if err != nil {
		panic(err)
	}
	platform := httptest.NewServer(emu)
	defer platform.Close()

	b, err := handler.New(token,
		handler.WithSender(botapi.New(token, botapi.WithBaseURL(platform.URL))),
		handler.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		panic(err)
	}
	b.OnRegexp(regexp.MustCompile(`(?i)hello`), func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, `Hello there! You said: "`+ev.Text+`"`,
			handler.Row(handler.CallbackButton("Tell me more", "more_info")))
	})
	webhook := httptest.NewServer(b)
	defer webhook.Close()
	if err := emu.SetBotURL(webhook.URL); err != nil {
		panic(err)
	}

	out, err := emu.SendMessage(context.Background(), 12345, "hello")
	if err != nil {
		panic(err)
	}
	fmt.Println("webhook answered", out.Log.Status)
	chat := emu.State().Chats[12345]
	reply := chat[len(chat)-1]
	fmt.Printf("Alice sees: %s [%s]\n", reply.Text, reply.Buttons[0][0].Text)
	// Output:
	// webhook answered 200
	// Alice sees: Hello there! You said: "hello" [Tell me more]
}
