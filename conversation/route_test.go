package conversation_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/memstore"
)

// TestFlowNamesItsRoute: the events a flow takes are labelled flow:NAME in
// the diagnostics (and the debug log line); the others keep their route.
func TestFlowNamesItsRoute(t *testing.T) {
	noop := handler.SenderFunc(func(context.Context, int64, handler.Message) error { return nil })
	m, err := handler.New(token, handler.WithSender(noop), handler.WithStore(memstore.New()),
		handler.WithDiagnostics(), handler.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	signup.Register(m)
	m.OnCommand("signup", signup.Start)
	m.OnCommand("help", func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "help") })
	for _, s := range []struct{ text, want string }{
		{"hello", "no reply: no route matched"},
		{"/signup", "replied 1 (route command:signup)"},
		{"Ann", "replied 1 (route flow:t-signup)"},
		{"/help", "replied 1 (route command:help)"},
		{"forty", "replied 1 (route flow:t-signup)"},
		{"/cancel", "replied 1 (route flow:t-signup)"},
		{"Ann", "no reply: no route matched"},
	} {
		w := httptest.NewRecorder()
		m.ServeHTTP(w, sociogramtest.NewRequest(token, sociogramtest.ChatMessage(5, s.text)))
		if got := w.Header().Get(handler.HeaderOutcome); w.Code != 200 || got != s.want {
			t.Errorf("%q: %d %q, want 200 %q", s.text, w.Code, got, s.want)
		}
	}
}
