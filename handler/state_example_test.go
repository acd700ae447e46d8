package handler_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"
)

// Todo is one user's to-do list.
type Todo struct{ Items []string }

// todos is declared once, at package level; "todo" is its field in the
// user's record.
var todos = handler.NewState[Todo]("todo")

func ExampleNewState() {
	bot, _ := handler.New("my-token",
		handler.WithStore(memstore.New()), // in production: filestore, DynamoDB or Firestore
		handler.WithSender(printSender),
		handler.WithLogger(slog.New(slog.DiscardHandler)),
	)
	bot.OnCommand("add", func(ctx context.Context, ev *handler.Event) error {
		t := todos.Get(ev) // *Todo: the zero value for a new user
		t.Items = append(t.Items, ev.Args)
		return ev.Reply(ctx, fmt.Sprintf("added %q (%d items)", ev.Args, len(t.Items)))
	})
	bot.OnCommand("list", func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "todo: "+strings.Join(todos.Get(ev).Items, ", "))
	})
	bot.OnCommand("clear", func(ctx context.Context, ev *handler.Event) error {
		todos.Reset(ev)
		return ev.Reply(ctx, "cleared")
	})
	for _, text := range []string{"/add milk", "/add bread", "/list", "/clear", "/list"} {
		bot.ServeHTTP(httptest.NewRecorder(), sociogramtest.NewRequest("my-token", sociogramtest.ChatMessage(7, text)))
	}
	// Output:
	// {"message":{"text":"added \"milk\" (1 items)"},"uid":7}
	// {"message":{"text":"added \"bread\" (2 items)"},"uid":7}
	// {"message":{"text":"todo: milk, bread"},"uid":7}
	// {"message":{"text":"cleared"},"uid":7}
	// {"message":{"text":"todo: "},"uid":7}
}
