package devcmd_test

import (
	"context"
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
	"github.com/sociogram-kit/kit/internal/devcmd"
	"github.com/sociogram-kit/kit/internal/fixture"
)

// emulatorAndBot serves an emulator (Alice, 12345) and the fixture bot with
// diagnostics on, as `sociogram dev` runs them; it returns the emulator and
// its base URL.
func emulatorAndBot(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	emu, err := emulator.New(token, emulator.WithUser(12345, "Alice"))
	if err != nil {
		t.Fatal(err)
	}
	es := httptest.NewServer(emu)
	t.Cleanup(es.Close)
	cfg, err := config.FromEnv(env(config.EnvToken, token, config.EnvAPIURL, es.URL, config.EnvRateLimit, "off"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.NewMux(handler.NewKeyring(cfg.Tokens...), slog.New(slog.DiscardHandler), fixture.Register, handler.WithDiagnostics())
	if err != nil {
		t.Fatal(err)
	}
	bs := httptest.NewServer(httpadapter.Handler(b))
	t.Cleanup(bs.Close)
	if err := emu.SetBotURL(bs.URL + httpadapter.WebhookPath); err != nil {
		t.Fatal(err)
	}
	return emu, es.URL
}

// TestTriggerThroughEmulator: with -emulator (or SOCIOGRAM_API_URL naming
// the emulator) trigger has the emulator deliver the event and prints the
// bot's replies, or "no reply" and the bot's reason; no token is needed.
func TestTriggerThroughEmulator(t *testing.T) {
	emu, base := emulatorAndBot(t)
	addr := strings.TrimPrefix(base, "http://")
	cases := []struct {
		name string
		args []string
		env  func(string) string
		code int
		out  []string // in order
	}{
		{"reply with buttons", []string{"-emulator", addr, "-text", "/start"}, env(), devcmd.ExitOK, []string{
			"POST " + base + "/emulator/message", `chat-message uid=12345 text="/start"`, "/webhook answered 200 OK",
			"reply: Welcome! What would you like to do?", "[👋 Greeting → greeting]", "[🛍 Products → menu_products]"}},
		{"no route", []string{"-emulator", base, "-text", "what?"}, env(), devcmd.ExitOK, []string{
			"answered 200 OK", "no reply: no route matched"}},
		{"button press", []string{"-emulator", base + "/", "-callback", "greeting"}, env(), devcmd.ExitOK, []string{
			"POST " + base + "/emulator/press", `callback-query uid=12345 callbackData="greeting"`, "reply: Great to meet you! I'm here to help."}},
		{"a new user", []string{"-emulator", addr, "-uid", "4242", "-text", "hello"}, env(), devcmd.ExitOK, []string{
			`reply: Hello there! You said: "hello"`}},
		{"from SOCIOGRAM_API_URL", []string{"-text", "hello"}, env(config.EnvAPIURL, base), devcmd.ExitOK, []string{
			"POST " + base + "/emulator/message", `reply: Hello there! You said: "hello"`}},
		{"-emulator with -url", []string{"-emulator", addr, "-url", "http://127.0.0.1:1/webhook"}, env(), devcmd.ExitUsage, []string{
			"give -url or -emulator, not both"}},
		{"-emulator with -chat", []string{"-emulator", addr, "-chat", "x"}, env(), devcmd.ExitUsage, []string{"-chat cannot be used with -emulator"}},
		{"bad -emulator", []string{"-emulator", "ftp://x/y"}, env(), devcmd.ExitUsage, []string{
			`-emulator="ftp://x/y": want the emulator's HOST:PORT or URL, e.g. 127.0.0.1:8090`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			code := devcmd.Trigger(context.Background(), "sociogram trigger", c.args, c.env, &out, &out)
			rest := out.String()
			for _, want := range c.out {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Errorf("output lacks %q (in order):\n%s", want, out.String())
					break
				}
				rest = rest[i+len(want):]
			}
			if code != c.code {
				t.Errorf("exit %d, want %d:\n%s", code, c.code, out.String())
			}
		})
	}
	if c := emu.State().Chats[4242]; len(c) != 2 || c[1].Text != `Hello there! You said: "hello"` {
		t.Errorf("the new user's chat %+v, want the message and the reply", c)
	}
	if b, _ := json.Marshal(emu.State()); strings.Contains(string(b), token) {
		t.Error("the token appears in the emulator's state")
	}
}

// TestTriggerNotAnEmulator: -emulator naming something else fails saying
// so, and sends nothing further.
func TestTriggerNotAnEmulator(t *testing.T) {
	var paths []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		http.NotFound(w, r)
	}))
	defer other.Close()
	var out strings.Builder
	code := devcmd.Trigger(context.Background(), "sociogram trigger", []string{"-emulator", other.URL}, env(), &out, &out)
	if code != devcmd.ExitFailed || !strings.Contains(out.String(), "answered 404 (is the address the emulator's?)") {
		t.Errorf("exit %d, want %d and a 404 named:\n%s", code, devcmd.ExitFailed, out.String())
	}
	if len(paths) != 1 || paths[0] != emulator.UsersPath {
		t.Errorf("requests %q, want one to %s", paths, emulator.UsersPath)
	}
}

// TestTriggerDirectShowsOutcome: posting straight to a bot in development
// mode prints what the bot says it did.
func TestTriggerDirectShowsOutcome(t *testing.T) {
	emu, _ := emulatorAndBot(t)
	var out strings.Builder
	code := devcmd.Trigger(context.Background(), "sociogram trigger", []string{"-url", emu.State().Settings.BotURL, "-text", "what?"},
		env("SOCIOGRAM_BOT_TOKEN", token), &out, &out)
	if code != devcmd.ExitOK || !strings.Contains(out.String(), "200 OK") || !strings.Contains(out.String(), "X-Sociogram-Outcome: no reply: no route matched") {
		t.Errorf("exit %d; output lacks the outcome:\n%s", code, out.String())
	}
}
