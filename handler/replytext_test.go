package handler_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestFailedReplyLogHoldsNoText: the log line of a webhook whose reply was
// not delivered names the uid and the cause, never the reply's text (the
// error hook still gets it in ReplyError.Text).
func TestFailedReplyLogHoldsNoText(t *testing.T) {
	const secret = "your one-time code is 914257"
	var logs bytes.Buffer
	var hooked error
	b, err := handler.New(token, handler.WithSender(&recorder{err: errors.New("api down")}),
		handler.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		handler.WithErrorHandler(func(_ context.Context, _ *handler.Event, err error) { hooked = err }))
	if err != nil {
		t.Fatal(err)
	}
	b.OnAnyText(func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, secret) })
	if w := serve(b, "POST", "", token, sociogramtest.ChatMessage(7, "hi")); w.Code != 500 {
		t.Fatalf("status = %d, want 500", w.Code)
	}
	if strings.Contains(logs.String(), "914257") {
		t.Errorf("the log holds the reply's text: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "reply to uid 7 not delivered: api down") {
		t.Errorf("the log does not name the uid and the cause: %s", logs.String())
	}
	var re *handler.ReplyError
	if !errors.As(hooked, &re) || re.Text != secret || strings.Contains(re.Error(), "914257") {
		t.Errorf("hook got %v, want a ReplyError carrying the text outside its Error()", hooked)
	}
}
