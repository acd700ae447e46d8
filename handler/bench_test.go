package handler_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"testing"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the core, not a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// benchBot is the example bot's routing with a no-op sender.
func benchBot(b *testing.B, logger *slog.Logger) *handler.Mux {
	noop := handler.SenderFunc(func(context.Context, int64, handler.Message) error { return nil })
	bot, err := handler.New(token, handler.WithSender(noop), handler.WithLogger(logger))
	if err != nil {
		b.Fatal(err)
	}
	reply := func(ctx context.Context, ev *handler.Event) error {
		return ev.Reply(ctx, "Hello there!", handler.Row(handler.CallbackButton("Tell me more", "more_info")))
	}
	bot.OnCommand("start", reply)
	bot.OnRegexp(regexp.MustCompile(`(?i)hello`), reply)
	bot.OnCallback("greeting", reply)
	bot.OnFallback(handler.EventCallbackQuery, reply)
	return bot
}

func benchServe(b *testing.B, logger *slog.Logger, body []byte) {
	bot := benchBot(b, logger)
	rd := bytes.NewReader(body)
	req := sociogramtest.NewRequest(token, nil)
	req.Body = io.NopCloser(rd)
	req.ContentLength = int64(len(body))
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		rd.Reset(body)
		bot.ServeHTTP(w, req)
	}
}

// BenchmarkServe is verify+parse+route+reply (to a no-op sender) per event.
func BenchmarkServe(b *testing.B) {
	events := map[string][]byte{
		"chat-message":   sociogramtest.ChatMessage(12345, "Hello bot!"),
		"callback-query": sociogramtest.CallbackQuery(12345, "menu_products"),
	}
	for name, body := range events {
		b.Run(name+"/nolog", func(b *testing.B) { benchServe(b, slog.New(slog.DiscardHandler), body) })
		b.Run(name+"/jsonlog", func(b *testing.B) { benchServe(b, slog.New(slog.NewJSONHandler(io.Discard, nil)), body) })
	}
}

func BenchmarkParse(b *testing.B) {
	body := sociogramtest.ChatMessage(12345, "Hello bot!")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := handler.Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}
