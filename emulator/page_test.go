package emulator_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/fixture"
)

// startBot serves the fixture bot in process, sending its replies to the
// emulator at apiURL and accepting webhooks that carry botToken. Its client
// spaces its sends as in production, so two replies to one user are a
// second apart and meet no 429.
func startBot(t *testing.T, botToken, apiURL string) string {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{config.EnvToken: botToken, config.EnvAPIURL: apiURL}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.NewMux(handler.NewKeyring(cfg.Tokens...), slog.New(slog.DiscardHandler), fixture.Register)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpadapter.Handler(b))
	t.Cleanup(srv.Close)
	return srv.URL + httpadapter.WebhookPath
}

// emulatorWithBot starts an emulator and the fixture bot wired to each other.
func emulatorWithBot(t *testing.T, botToken string) (*emulator.Emulator, string) {
	t.Helper()
	emu, base := start(t, emulator.WithUser(12345, "Alice"))
	botURL := startBot(t, botToken, base)
	if a := pageCall(t, "PUT", base+emulator.SettingsPath, emulator.Settings{BotURL: botURL}); a.Status != 200 {
		t.Fatalf("settings: %d %s", a.Status, a.Body)
	}
	return emu, base
}

func outcome(t *testing.T, a answer) emulator.Outcome {
	t.Helper()
	if a.Status != 200 {
		t.Fatalf("page API answered %d: %s", a.Status, a.Body)
	}
	var o emulator.Outcome
	if err := json.Unmarshal([]byte(a.Body), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestChatRoundTrip: a message typed on the page reaches the bot as a
// chat-message webhook with the token; the reply comes back through the API
// side as a bubble with its button; pressing it sends a callback-query.
func TestChatRoundTrip(t *testing.T) {
	emu, base := emulatorWithBot(t, token)
	o := outcome(t, pageCall(t, "POST", base+emulator.MessagePath, map[string]any{"uid": 12345, "text": "hello"}))
	if !o.Log.OK || o.Log.Status != 200 || o.Log.Kind != emulator.KindWebhook {
		t.Fatalf("delivery = %+v", o.Log)
	}
	wantBody := `{"data":{"chat-message":{"uid":12345,"chatId":"000000000000000000003039","message":{"text":"hello"}}}}`
	if o.Log.Request.Body != wantBody {
		t.Errorf("webhook body = %s, want %s", o.Log.Request.Body, wantBody)
	}
	chat := emu.State().Chats[12345]
	if len(chat) != 2 || chat[0].Delivery != "ok" || chat[1].From != emulator.FromBot ||
		chat[1].Text != `Hello there! You said: "hello"` || chat[1].Buttons[0][0].CallbackData != "more_info" {
		t.Fatalf("chat = %+v", chat)
	}
	o = outcome(t, pageCall(t, "POST", base+emulator.PressPath, map[string]any{"uid": 12345, "data": "more_info", "text": "Tell me more"}))
	if !o.Log.OK || !strings.Contains(o.Log.Request.Body, `"callback-query":{"uid":12345,"chatId":"000000000000000000003039","callbackData":"more_info"}`) {
		t.Fatalf("delivery = %+v", o.Log)
	}
	chat = emu.State().Chats[12345]
	if last := chat[len(chat)-1]; last.Text != "You clicked a button with data: more_info" {
		t.Errorf("last bubble = %+v", last)
	}
	kinds := ""
	for _, l := range emu.State().Log {
		kinds += l.Kind + " "
	}
	if kinds != "webhook api webhook api " {
		t.Errorf("log kinds = %q: the webhook is logged when it starts, its reply inside it", kinds)
	}
	noToken(t, emu)
}

// TestFailedDeliveries: a bot that rejects the token, one that is down and
// one whose reply the fault switch fails are all failures in the log and on
// the user's bubble.
func TestFailedDeliveries(t *testing.T) {
	t.Run("wrong token", func(t *testing.T) {
		emu, base := emulatorWithBot(t, "another-token")
		o := outcome(t, pageCall(t, "POST", base+emulator.MessagePath, map[string]any{"uid": 12345, "text": "hello"}))
		if o.Log.OK || o.Log.Status != 401 || !strings.Contains(o.Log.Reason, "401") {
			t.Errorf("delivery = %+v", o.Log)
		}
		if c := emu.State().Chats[12345]; len(c) != 1 || c[0].Delivery != "failed" {
			t.Errorf("chat = %+v", c)
		}
		noToken(t, emu)
	})
	t.Run("bot down", func(t *testing.T) {
		_, base := start(t, emulator.WithUser(12345, "Alice"))
		down := httptest.NewServer(http.NotFoundHandler())
		down.Close()
		pageCall(t, "PUT", base+emulator.SettingsPath, emulator.Settings{BotURL: down.URL + "/webhook"})
		o := outcome(t, pageCall(t, "POST", base+emulator.MessagePath, map[string]any{"uid": 12345, "text": "hi"}))
		if o.Log.OK || o.Log.Status != 0 || !strings.Contains(o.Log.Reason, "connection refused") {
			t.Errorf("delivery = %+v", o.Log)
		}
	})
	t.Run("API fault", func(t *testing.T) {
		emu, base := emulatorWithBot(t, token)
		s := emu.State().Settings
		s.Faults.Status = 503
		pageCall(t, "PUT", base+emulator.SettingsPath, s)
		o := outcome(t, pageCall(t, "POST", base+emulator.MessagePath, map[string]any{"uid": 12345, "text": "hello"}))
		if o.Log.OK || o.Log.Status != 500 {
			t.Errorf("delivery = %+v, want the bot's 500 after its replies failed", o.Log)
		}
		var apiCalls int
		for _, l := range emu.State().Log {
			if l.Kind == emulator.KindAPI && l.Status == 503 {
				apiCalls++
			}
		}
		if apiCalls < 2 {
			t.Errorf("%d API calls answered 503, want the client's retries too", apiCalls)
		}
	})
}

// TestPageServed: the page and its files are served from the binary, and
// the page's API refuses bodies a cross-site form could send.
func TestPageServed(t *testing.T) {
	_, base := start(t)
	for path, want := range map[string]string{"/": "<title>Sociogram emulator</title>", "/app.js": "/emulator/state", "/style.css": ".bubble"} {
		a := call(t, "GET", base+path, nil, "")
		if a.Status != 200 || !strings.Contains(a.Body, want) {
			t.Errorf("GET %s: %d, body lacks %q", path, a.Status, want)
		}
	}
	a := call(t, "POST", base+emulator.MessagePath, map[string]string{"Content-Type": "text/plain"}, `{"uid":12345,"text":"hi"}`)
	if a.Status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain to the page API: %d, want 415", a.Status)
	}
	if a := pageCall(t, "POST", base+emulator.MessagePath, map[string]any{"uid": 9, "text": "hi"}); a.Status != 404 {
		t.Errorf("unknown user: %d, want 404", a.Status)
	}
	u := pageCall(t, "POST", base+emulator.UsersPath, map[string]any{"name": "Carol"})
	if u.Status != 200 || !strings.Contains(u.Body, `"uid":1001`) || !strings.Contains(u.Body, `"name":"Carol"`) {
		t.Errorf("create user: %d %s", u.Status, u.Body)
	}
}

// TestStateLongPoll: ?after=V returns as soon as something changes.
func TestStateLongPoll(t *testing.T) {
	emu, base := start(t, emulator.WithUser(12345, "Alice"))
	v := emu.State().Version
	done := make(chan answer)
	go func() {
		resp, err := http.Get(base + emulator.StatePath + "?after=" + jsonNum(v))
		if err != nil {
			done <- answer{}
			return
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		done <- answer{Status: resp.StatusCode, Body: buf.String()}
	}()
	send(t, base, `{"uid":12345,"message":{"text":"ping"}}`)
	a := <-done
	if a.Status != 200 || !strings.Contains(a.Body, `"text":"ping"`) {
		t.Errorf("long poll: %d %s", a.Status, a.Body)
	}
}

func jsonNum(v int64) string { b, _ := json.Marshal(v); return string(b) }
