package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/fixture"
)

// diagEmulator starts an emulator and the fixture bot (plus a route "quiet"
// that sends nothing) with opts, wired to each other.
func diagEmulator(t *testing.T, opts ...handler.Option) (*emulator.Emulator, string) {
	t.Helper()
	emu, base := start(t, emulator.WithUser(12345, "Alice"))
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{config.EnvToken: token, config.EnvAPIURL: base}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.NewMux(handler.NewKeyring(cfg.Tokens...), slog.New(slog.DiscardHandler), func(m *handler.Mux) {
		fixture.Register(m)
		m.OnText("quiet", func(context.Context, *handler.Event) error { return nil })
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpadapter.Handler(b))
	t.Cleanup(srv.Close)
	if err := emu.SetBotURL(srv.URL + httpadapter.WebhookPath); err != nil {
		t.Fatal(err)
	}
	return emu, base
}

// TestNoReplyMarked: a message the bot answered 200 without a reply is
// marked on the user's entry and in the page API's answer, with the bot's
// reason when it runs with diagnostics (SOCIOGRAM_DEV=1), and a generic one
// when it does not; answered messages and failed deliveries are not.
func TestNoReplyMarked(t *testing.T) {
	diag := []handler.Option{handler.WithDiagnostics()}
	tests := []struct {
		name    string
		opts    []handler.Option
		path    string
		body    map[string]any
		replies []string
		noReply string
		outcome string // the log entry's
	}{
		{"answered", diag, emulator.MessagePath, map[string]any{"uid": 12345, "text": "/start"},
			[]string{"Welcome! What would you like to do?"}, "", "replied 1 (route command:start)"},
		{"button", diag, emulator.PressPath, map[string]any{"uid": 12345, "data": "greeting", "text": "Hi"},
			[]string{"Great to meet you! I'm here to help."}, "", "replied 1 (route callback:greeting)"},
		{"no route", diag, emulator.MessagePath, map[string]any{"uid": 12345, "text": "what?"},
			nil, "no route matched", "no reply: no route matched"},
		{"route sent nothing", diag, emulator.MessagePath, map[string]any{"uid": 12345, "text": "quiet"},
			nil, "route text:quiet sent nothing", "no reply: route text:quiet sent nothing"},
		{"no diagnostics, no route", nil, emulator.MessagePath, map[string]any{"uid": 12345, "text": "what?"},
			nil, emulator.NoReplyUnsaid, ""},
		{"no diagnostics, answered", nil, emulator.MessagePath, map[string]any{"uid": 12345, "text": "/start"},
			[]string{"Welcome! What would you like to do?"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, base := diagEmulator(t, tt.opts...)
			o := outcome(t, pageCall(t, "POST", base+tt.path, tt.body))
			var got []string
			for _, r := range o.Replies {
				got = append(got, r.Text)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.replies) || o.NoReply != tt.noReply || o.Log.Outcome != tt.outcome || !o.Log.OK {
				t.Errorf("outcome: replies %q, noReply %q, log outcome %q, ok %v; want %q, %q, %q, ok",
					got, o.NoReply, o.Log.Outcome, o.Log.OK, tt.replies, tt.noReply, tt.outcome)
			}
			if c := emu.State().Chats[12345]; c[0].Delivery != "ok" || c[0].NoReply != tt.noReply {
				t.Errorf("the user's entry: %+v, want delivered with noReply %q", c[0], tt.noReply)
			}
			if tt.outcome != "" && o.Log.Response.Header[handler.HeaderOutcome] != tt.outcome {
				t.Errorf("logged response header %v, want %s", o.Log.Response.Header, tt.outcome)
			}
			noToken(t, emu)
		})
	}
	t.Run("not delivered", func(t *testing.T) {
		emu, base := emulatorWithBot(t, "another-token")
		o := outcome(t, pageCall(t, "POST", base+emulator.MessagePath, map[string]any{"uid": 12345, "text": "what?"}))
		if o.Log.OK || o.NoReply != "" || emu.State().Chats[12345][0].NoReply != "" {
			t.Errorf("a failed delivery is marked no reply: %+v", o)
		}
	})
}

// TestRepliesAfterTheAnswer: a bot that says it replied (a reply queue)
// but sends after answering the webhook: the page API's answer waits for
// the reply, and the message is not marked unanswered meanwhile.
func TestRepliesAfterTheAnswer(t *testing.T) {
	emu, base := start(t, emulator.WithUser(12345, "Alice"))
	sent := make(chan struct{})
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(handler.HeaderOutcome, "replied 1 (route any-text)")
		w.WriteHeader(200)
		go func() { // the queue: once the emulator has the answer, reply
			defer close(sent)
			v := emu.State().Version
			for {
				s := emu.State()
				if c := s.Chats[12345]; len(c) > 0 && c[0].Delivery == "ok" {
					if c[0].NoReply != "" {
						t.Errorf("marked %q before the queued reply came", c[0].NoReply)
					}
					break
				}
				var st emulator.State
				a := call(t, "GET", fmt.Sprintf("%s%s?after=%d", base, emulator.StatePath, v), nil, "")
				json.Unmarshal([]byte(a.Body), &st)
				v = st.Version
			}
			send(t, base, `{"uid":12345,"message":{"text":"later"}}`)
		}()
	}))
	defer bot.Close()
	if err := emu.SetBotURL(bot.URL); err != nil {
		t.Fatal(err)
	}
	o, err := emu.SendMessage(context.Background(), 12345, "hi")
	<-sent
	if err != nil || len(o.Replies) != 1 || o.Replies[0].Text != "later" || o.NoReply != "" {
		t.Errorf("outcome %+v, %v; want the queued reply", o, err)
	}
}
