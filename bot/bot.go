// Package bot is the one file a bot author edits: the bot's handlers. Every
// adapter's main (plain HTTP, Lambda, Cloud Functions) registers them, so the
// same bot runs locally and on any target.
//
// This example is the platform docs' example bot plus a /start menu.
package bot

import (
	"context"
	"regexp"

	"github.com/sociogram-kit/kit/handler"
)

// Register adds the bot's handlers to b.
func Register(b *handler.Mux) {
	b.OnCommand("start", start)
	b.OnRegexp(regexp.MustCompile(`(?i)hello`), hello)

	b.OnCallback("greeting", reply("Great to meet you! I'm here to help."))
	b.OnCallback("menu_products", reply("Here are our products: Product A, Product B, Product C."))
	b.OnCallback("menu_support", support)
	b.OnFallback(handler.EventCallbackQuery, clicked)
	// Any other text: no route, so no reply.
}

func start(ctx context.Context, ev *handler.Event) error {
	return ev.Reply(ctx, "Welcome! What would you like to do?",
		handler.Row(handler.CallbackButton("👋 Greeting", "greeting")),
		handler.Row(handler.CallbackButton("🛍 Products", "menu_products")),
		handler.Row(handler.CallbackButton("🆘 Support", "menu_support")),
	)
}

func hello(ctx context.Context, ev *handler.Event) error {
	return ev.Reply(ctx, `Hello there! You said: "`+ev.Text+`"`,
		handler.Row(handler.CallbackButton("Tell me more", "more_info")))
}

func support(ctx context.Context, ev *handler.Event) error {
	return ev.Reply(ctx, "How can I help you?",
		handler.Row(handler.URLButton("📖 Documentation", "https://docs.example.com")),
		handler.Row(handler.CallbackButton("💬 Live Chat", "support_live_chat")),
	)
}

func clicked(ctx context.Context, ev *handler.Event) error {
	return ev.Reply(ctx, "You clicked a button with data: "+ev.CallbackData)
}

func reply(text string) handler.HandlerFunc {
	return func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, text) }
}
