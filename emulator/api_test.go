package emulator_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/handler"
)

// TestSendMessageDocumentedShape sends the docs' example body and checks the
// documented answer, the bubble the page shows and the log entry.
func TestSendMessageDocumentedShape(t *testing.T) {
	emu, base := start(t, emulator.WithUser(12345, "Alice"))
	body := `{"uid": 12345, "message": {"text": "Hello! How can I help you today?",
		"buttonMarkup": [[{"text": "Get Started", "callbackData": "start_action"},
		                  {"text": "Help", "url": "https://example.com/help"}]]}}`
	a := send(t, base, body)
	if a.Status != http.StatusOK {
		t.Fatalf("status = %d, body %s", a.Status, a.Body)
	}
	if ct := a.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var resp struct {
		Success   bool   `json:"success"`
		MessageID string `json:"messageId"`
	}
	if err := json.Unmarshal([]byte(a.Body), &resp); err != nil || !resp.Success {
		t.Fatalf("body %s: want {success:true, messageId}", a.Body)
	}
	if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(resp.MessageID) {
		t.Errorf("messageId = %q, want 24 hex digits like the platform's", resp.MessageID)
	}
	chat := emu.State().Chats[12345]
	if len(chat) != 1 || chat[0].From != emulator.FromBot || chat[0].Text != "Hello! How can I help you today?" {
		t.Fatalf("chat = %+v", chat)
	}
	want := [][]handler.Button{{handler.CallbackButton("Get Started", "start_action"), handler.URLButton("Help", "https://example.com/help")}}
	if got, _ := json.Marshal(chat[0].Buttons); string(got) != mustJSON(t, want) {
		t.Errorf("buttons = %s, want %s", got, mustJSON(t, want))
	}
	l := lastLog(t, emu)
	if l.Kind != emulator.KindAPI || !l.OK || l.Status != 200 || l.UID != 12345 || l.Reason != "" {
		t.Errorf("log entry = %+v", l)
	}
	if l.Request.Header["X-App-Key"] != emulator.Redacted {
		t.Errorf("logged X-App-Key = %q, want it redacted", l.Request.Header["X-App-Key"])
	}
	noToken(t, emu)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSendMessageMedia: media alone is a message, and the page keeps its
// items as sent.
func TestSendMessageMedia(t *testing.T) {
	emu, base := start(t, emulator.WithUser(2, "B"))
	if a := send(t, base, `{"uid":2,"message":{"media":[{"type":"image","url":"https://example.com/a.png"}]}}`); a.Status != 200 {
		t.Errorf("status %d, body %s", a.Status, a.Body)
	}
	if m := emu.State().Chats[2]; len(m) != 1 || len(m[0].Media) != 1 || string(m[0].Media[0]) != `{"type":"image","url":"https://example.com/a.png"}` {
		t.Errorf("media not kept: %+v", m)
	}
}

// TestSendMessageRejected: every rejection answers the right status with
// {"success":false,"error":reason}, is logged with the reason, and adds no
// bubble. Which bodies are refused, and the exact answers, are package
// platform's shared table (platform/fakes_test.go), run against the
// emulator and sociogramtest alike; these cases check the emulator's side
// of a rejection, and its own: a uid no user of the emulator has.
func TestSendMessageRejected(t *testing.T) {
	good := `{"uid":12345,"message":{"text":"x"}}`
	json := map[string]string{"X-App-Key": token, "Content-Type": "application/json"}
	cases := []struct {
		name   string
		method string
		path   string
		header map[string]string
		body   string
		status int
		reason string
	}{
		{"no key", "POST", emulator.SendPath, map[string]string{"Content-Type": "application/json"}, good, 401, "invalid X-App-Key"},
		{"wrong key", "POST", emulator.SendPath, map[string]string{"X-App-Key": "nope", "Content-Type": "application/json"}, good, 401, "invalid X-App-Key"},
		{"key with the token as a prefix", "POST", emulator.SendPath, map[string]string{"X-App-Key": token + "x", "Content-Type": "application/json"}, good, 401, "invalid X-App-Key"},
		{"not JSON content", "POST", emulator.SendPath, map[string]string{"X-App-Key": token, "Content-Type": "text/plain"}, good, 415, "Content-Type must be application/json"},
		{"GET", "GET", emulator.SendPath, json, "", 405, "method must be POST"},
		{"unknown endpoint", "POST", "/bot/send-photo", json, good, 404, "unknown endpoint: /bot/send-photo: the Bot API has /bot/send-message"},
		{"not JSON", "POST", emulator.SendPath, json, `uid=12345`, 400, "malformed body: not valid JSON"},
		{"JSON array", "POST", emulator.SendPath, json, `[1]`, 400, "malformed body: not a JSON object"},
		{"uid as string", "POST", emulator.SendPath, json, `{"uid":"12345","message":{"text":"x"}}`, 400, `"uid" must be a positive whole number`},
		{"empty message", "POST", emulator.SendPath, json, `{"uid":12345,"message":{}}`, 400, `"message" needs a non-empty "text" or "media"`},
		{"button with both", "POST", emulator.SendPath, json, `{"uid":12345,"message":{"text":"x","buttonMarkup":[[{"text":"a","callbackData":"a"}],[{"text":"b","callbackData":"b","url":"https://x"}]]}}`, 400, `button 1 of row 2 needs exactly one of "callbackData" or "url"`},
		{"unknown field", "POST", emulator.SendPath, json, `{"uid":12345,"message":{"text":"x","Text":"y"}}`, 400, `"message" has an unknown field "Text"`},
		{"unknown uid", "POST", emulator.SendPath, json, `{"uid":777,"message":{"text":"x"}}`, 400, "unknown uid: 777: no user with this uid in the emulator"},
		{"too large", "POST", emulator.SendPath, json, `{"uid":12345,"message":{"text":"` + strings.Repeat("a", emulator.MaxSendBytes) + `"}}`, 413, "body too large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			emu, base := start(t, emulator.WithUser(12345, "Alice"))
			a := call(t, c.method, base+c.path, c.header, c.body)
			if a.Status != c.status {
				t.Fatalf("status = %d, want %d (body %s)", a.Status, c.status, a.Body)
			}
			var resp struct {
				Success *bool  `json:"success"`
				Error   string `json:"error"`
			}
			if err := jsonUnmarshal(a.Body, &resp); err != nil || resp.Success == nil || *resp.Success {
				t.Fatalf("body %s: want success:false", a.Body)
			}
			if !strings.Contains(resp.Error, c.reason) {
				t.Errorf("error = %q, want it to contain %q", resp.Error, c.reason)
			}
			if c.status == 405 && a.Header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q", a.Header.Get("Allow"))
			}
			l := lastLog(t, emu)
			if l.Kind != emulator.KindAPI || l.OK || l.Status != c.status || !strings.Contains(l.Reason, c.reason) {
				t.Errorf("log entry = %+v, want a rejection with %q", l, c.reason)
			}
			if n := len(emu.State().Chats[12345]); n != 0 {
				t.Errorf("%d bubbles added by a rejected call", n)
			}
			noToken(t, emu)
		})
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestWrongKeyNotLogged: a wrong key is not shown in the log either (it may
// be another bot's real token).
func TestWrongKeyNotLogged(t *testing.T) {
	emu, base := start(t, emulator.WithUser(12345, "Alice"))
	call(t, "POST", base+emulator.SendPath, map[string]string{"X-App-Key": "other-bots-token", "Content-Type": "application/json"}, `{"uid":12345,"message":{"text":"x"}}`)
	b, _ := json.Marshal(emu.State())
	if strings.Contains(string(b), "other-bots-token") {
		t.Errorf("the wrong key appears in the log: %s", b)
	}
}

// TestFaults: the fault switch makes send-message answer the chosen status
// (after the chosen latency), and off means normal again.
func TestFaults(t *testing.T) {
	emu, base := start(t, emulator.WithUser(12345, "Alice"))
	set := func(f emulator.Faults) {
		a := pageCall(t, "PUT", base+emulator.SettingsPath, emulator.Settings{BotURL: emulator.DefaultBotURL, Faults: f})
		if a.Status != 200 {
			t.Fatalf("settings: %d %s", a.Status, a.Body)
		}
	}
	set(emulator.Faults{Status: 503, LatencyMS: 1})
	a := send(t, base, `{"uid":12345,"message":{"text":"x"}}`)
	if a.Status != 503 || !strings.Contains(a.Body, "injected fault") {
		t.Errorf("with the fault on: %d %s", a.Status, a.Body)
	}
	if l := lastLog(t, emu); l.OK || !strings.Contains(l.Reason, "injected fault") {
		t.Errorf("log entry = %+v", l)
	}
	set(emulator.Faults{})
	if a := send(t, base, `{"uid":12345,"message":{"text":"x"}}`); a.Status != 200 {
		t.Errorf("with the fault off: %d %s", a.Status, a.Body)
	}
	for _, bad := range []emulator.Settings{
		{BotURL: "ftp://x/webhook"}, {BotURL: "/webhook"},
		{BotURL: emulator.DefaultBotURL, Faults: emulator.Faults{Status: 200}},
		{BotURL: emulator.DefaultBotURL, Faults: emulator.Faults{LatencyMS: -1}},
	} {
		if a := pageCall(t, "PUT", base+emulator.SettingsPath, bad); a.Status != 400 {
			t.Errorf("settings %+v: status %d, want 400", bad, a.Status)
		}
	}
}
