package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// diagBot routes like the example bot, with a route that sends nothing and
// an intercept that takes "/flow" answers, logging at level to logs.
func diagBot(t *testing.T, logs *bytes.Buffer, level slog.Level, opts ...handler.Option) *handler.Mux {
	t.Helper()
	b, err := handler.New(token, append([]handler.Option{handler.WithSender(&recorder{}),
		handler.WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level})))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	reply := func(ctx context.Context, ev *handler.Event) error { return ev.Reply(ctx, "hi") }
	b.OnCommand("start", reply)
	b.OnRegexp(regexp.MustCompile(`(?i)hello`), reply)
	b.OnText("quiet", func(context.Context, *handler.Event) error { return nil })
	b.OnCallback("greeting", reply)
	b.OnCallbackPrefix("page:", reply)
	b.OnFallback(handler.EventCallbackQuery, reply)
	b.Intercept(func(next handler.HandlerFunc) handler.HandlerFunc {
		return func(ctx context.Context, ev *handler.Event) error {
			switch ev.Text {
			case "in a flow":
				ev.SetRoute("flow:order")
				return ev.Reply(ctx, "next question")
			case "taken":
				return ev.Reply(ctx, "taken by an intercept")
			}
			return next(ctx, ev)
		}
	})
	return b
}

// TestDiagnostics: what the debug log line and, with WithDiagnostics, the
// X-Sociogram-Outcome header say about each event.
func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name     string
		body     []byte
		route    string // the debug line's route; "" when unrouted
		unrouted string // the line's unrouted
		header   string
	}{
		{"command", sociogramtest.ChatMessage(1, "/start"), "command:start", "", "replied 1 (route command:start)"},
		{"regexp", sociogramtest.ChatMessage(1, "well Hello"), "regexp:(?i)hello", "", "replied 1 (route regexp:(?i)hello)"},
		{"exact text sending nothing", sociogramtest.ChatMessage(1, "quiet"), "text:quiet", "", "no reply: route text:quiet sent nothing"},
		{"callback", sociogramtest.CallbackQuery(1, "greeting"), "callback:greeting", "", "replied 1 (route callback:greeting)"},
		{"callback prefix", sociogramtest.CallbackQuery(1, "page:2"), "callback-prefix:page:", "", "replied 1 (route callback-prefix:page:)"},
		{"callback fallback", sociogramtest.CallbackQuery(1, "other"), "fallback:callback-query", "", "replied 1 (route fallback:callback-query)"},
		{"flow naming itself", sociogramtest.ChatMessage(1, "in a flow"), "flow:order", "", "replied 1 (route flow:order)"},
		{"intercept", sociogramtest.ChatMessage(1, "taken"), "intercept", "", "replied 1 (route intercept)"},
		{"no route", sociogramtest.ChatMessage(1, "what?"), "", "no route matched", "no reply: no route matched"},
		{"empty text", sociogramtest.ChatMessage(1, ""), "", "empty text (a chat-message's text is data.chat-message.message.text)",
			"no reply: empty text (a chat-message's text is data.chat-message.message.text)"},
		{"text beside the message object", []byte(`{"data":{"chat-message":{"uid":1,"text":"hi"}}}`), "",
			"empty text (a chat-message's text is data.chat-message.message.text)", "no reply: empty text (a chat-message's text is data.chat-message.message.text)"},
		{"unknown event keys", []byte(`{"data":{"text":"hi","message":{"text":"hi"}}}`), "",
			`only unknown event keys: "text", "message" (known: "chat-message", "callback-query")`,
			`no reply: only unknown event keys: "text", "message" (known: "chat-message", "callback-query")`},
		{"known key null beside an unknown one", []byte(`{"data":{"chat-message":null,"poll":{}}}`), "",
			`only unknown event keys: "poll" (known: "chat-message", "callback-query")`,
			`no reply: only unknown event keys: "poll" (known: "chat-message", "callback-query")`},
		{"many unknown keys", []byte(`{"data":{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7}}`), "",
			`only unknown event keys: "a", "b", "c", "d", "e", ... (known: "chat-message", "callback-query")`,
			`no reply: only unknown event keys: "a", "b", "c", "d", "e", ... (known: "chat-message", "callback-query")`},
		{"empty data", []byte(`{"data":{}}`), "", `no event in "data" (want a "chat-message" or "callback-query" object)`,
			`no reply: no event in "data" (want a "chat-message" or "callback-query" object)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			w := httptest.NewRecorder()
			diagBot(t, &logs, slog.LevelDebug, handler.WithDiagnostics()).ServeHTTP(w, sociogramtest.NewRequest(token, tt.body))
			if w.Code != 200 {
				t.Fatalf("status %d (%s)", w.Code, w.Body)
			}
			if got := w.Header().Get(handler.HeaderOutcome); got != tt.header {
				t.Errorf("%s = %q, want %q", handler.HeaderOutcome, got, tt.header)
			}
			line := oneLine(t, &logs)
			if line["route"] != nil && line["route"] != tt.route || line["route"] == nil && tt.route != "" {
				t.Errorf("route = %v, want %q", line["route"], tt.route)
			}
			if line["unrouted"] != nil && line["unrouted"] != tt.unrouted || line["unrouted"] == nil && tt.unrouted != "" {
				t.Errorf("unrouted = %v, want %q", line["unrouted"], tt.unrouted)
			}
		})
	}
}

// TestDiagnosticsOff: without WithDiagnostics no answer says how the bot
// routes, and at info level a routed event's line is what it always was.
func TestDiagnosticsOff(t *testing.T) {
	for _, body := range [][]byte{sociogramtest.ChatMessage(1, "/start"), sociogramtest.ChatMessage(1, "what?"), []byte(`{"data":{"x":1}}`)} {
		var logs bytes.Buffer
		w := httptest.NewRecorder()
		diagBot(t, &logs, slog.LevelDebug).ServeHTTP(w, sociogramtest.NewRequest(token, body))
		if h := w.Header().Values(handler.HeaderOutcome); h != nil || len(w.Header()) != 2 {
			t.Errorf("%s: headers %v, want Content-Type and X-Content-Type-Options only", body, w.Header())
		}
	}
	var logs bytes.Buffer
	diagBot(t, &logs, slog.LevelInfo).ServeHTTP(httptest.NewRecorder(), sociogramtest.NewRequest(token, sociogramtest.ChatMessage(1, "/start")))
	line := oneLine(t, &logs)
	var keys []string
	for k := range line {
		keys = append(keys, k)
	}
	if len(keys) != 7 || line["route"] != nil || line["replies"] != nil {
		t.Errorf("info line %v, want time, level, msg, event, uid, status, duration_ms only", line)
	}
	logs.Reset()
	diagBot(t, &logs, slog.LevelInfo).ServeHTTP(httptest.NewRecorder(), sociogramtest.NewRequest(token, sociogramtest.ChatMessage(1, "what?")))
	if line := oneLine(t, &logs); line["unrouted"] != "no route matched" {
		t.Errorf("info line of an unrouted event %v, want unrouted", line)
	}
}

// TestDiagnosticsSignedButtons: a signed button's route is its kind; an
// invalid click says so.
func TestDiagnosticsSignedButtons(t *testing.T) {
	b := newButtonBot(t, "tok", handler.WithDiagnostics())
	p, _, l := b.menu(t, 1)
	for data, want := range map[string]string{
		p:                 "replied 1 (route signed-button:t-pick)",
		flip(p, len(p)-1): "replied 1 (route invalid-button:t-pick)",
		l:                 "replied 1 (route invalid-button)",
	} {
		rec := httptest.NewRecorder()
		b.mux.ServeHTTP(rec, sociogramtest.NewRequest(b.token, sociogramtest.CallbackQuery(1, data)))
		if got := rec.Header().Get(handler.HeaderOutcome); got != want {
			t.Errorf("%s = %q, want %q", handler.HeaderOutcome, got, want)
		}
	}
}

func oneLine(t *testing.T, logs *bytes.Buffer) map[string]any {
	t.Helper()
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("want exactly one JSON log line, got %q", logs.String())
	}
	return line
}

// TestErrorBodiesSayWhatIsExpected: the 400 and 415 answers name what is
// wrong and what the bot wants, without quoting the body.
func TestErrorBodiesSayWhatIsExpected(t *testing.T) {
	const want = `; want a JSON object like {"data":{"chat-message":{...}}}`
	tests := []struct {
		name, ct, body string
		status         int
		answer         string
	}{
		{"truncated JSON", "", `{"data":{"chat-message":{"uid":1`, 400,
			"invalid webhook: the body is not valid JSON: it ends early, after 32 bytes (cut off?)" + want},
		{"truncated in a string", "", `{"data":{"chat-message":{"uid":1,"message":{"text":"hel`, 400,
			"invalid webhook: the body is not valid JSON: it ends early, after 55 bytes (cut off?)" + want},
		{"truncated after a key", "", `{"data"`, 400, "invalid webhook: the body is not valid JSON: it ends early, after 7 bytes (cut off?)" + want},
		{"empty body", "", ``, 400, "invalid webhook: the body is empty" + want},
		{"blank body", "", " \n", 400, "invalid webhook: the body is empty" + want},
		{"not JSON", "", `hello`, 400, "invalid webhook: the body is not valid JSON (at byte 1)" + want},
		{"not JSON inside", "", `{"data":{"chat-message":{"uid":1,oops}}}`, 400, "invalid webhook: the body is not valid JSON (at byte 34)" + want},
		{"unterminated string at the top", "", `"abc`, 400, "invalid webhook: the body is not valid JSON: it ends early, after 4 bytes (cut off?)" + want},
		{"array", "", `[{"data":{}}]`, 400, "invalid webhook: the body is a JSON array, not an object" + want},
		{"string", "", ` "hi" `, 400, "invalid webhook: the body is a JSON string, not an object" + want},
		{"number", "", `12`, 400, "invalid webhook: the body is a JSON number, not an object" + want},
		{"more after the object", "", `{"data":{}} {}`, 400, "invalid webhook: the body goes on after the JSON object (at byte 13)" + want},
		{"too deep", "", strings.Repeat("[", 600), 400, "invalid webhook: the body nests deeper than 512 levels"},
		{"no data", "", `{"chat-message":{"uid":1}}`, 400,
			`invalid webhook: no "data" object: want {"data":{"chat-message":{...}}} or {"data":{"callback-query":{...}}}`},
		{"data an array", "", `{"data":[1]}`, 400,
			`invalid webhook: no "data" object: want {"data":{"chat-message":{...}}} or {"data":{"callback-query":{...}}} (data is array, want an object)`},
		{"uid a string", "", `{"data":{"chat-message":{"uid":"1"}}}`, 400,
			"invalid webhook: a field has the wrong JSON type (data.chat-message.uid is string, want a whole number)"},
		{"uid a fraction", "", `{"data":{"callback-query":{"uid":1.5}}}`, 400,
			"invalid webhook: a field has the wrong JSON type (data.callback-query.uid is number 1.5, want a whole number)"},
		{"text a number", "", `{"data":{"chat-message":{"uid":1,"message":{"text":5}}}}`, 400,
			"invalid webhook: a field has the wrong JSON type (data.chat-message.message.text is number, want a string)"},
		{"message a string", "", `{"data":{"chat-message":{"uid":1,"message":"hi"}}}`, 400,
			"invalid webhook: a field has the wrong JSON type (data.chat-message.message is string, want an object)"},
		{"no uid", "", `{"data":{"chat-message":{"message":{"text":"hi"}}}}`, 400, `invalid webhook: event has no "uid" (data.chat-message.uid)`},
		{"text/plain", "text/plain", string(sociogramtest.ChatMessage(1, "hi")), 415, "Content-Type must be application/json"},
		{"form", "application/x-www-form-urlencoded", `data=1`, 415, "Content-Type must be application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := newBot(t, nil)
			w := serve(b, "POST", tt.ct, token, []byte(tt.body))
			if w.Code != tt.status || w.Body.String() != tt.answer+"\n" {
				t.Errorf("answered %d %q\nwant     %d %q", w.Code, w.Body, tt.status, tt.answer+"\n")
			}
		})
	}
}
