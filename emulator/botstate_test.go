package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/internal/testtools"
)

func TestDevURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/webhook":         "http://127.0.0.1:8080/dev/state",
		"https://bot.example/hooks/webhook?x=1": "https://bot.example/hooks/dev/state",
		"http://127.0.0.1:8080":                 "http://127.0.0.1:8080/dev/state",
	} {
		if got, err := emulator.DevURL(in, "dev/state"); err != nil || got != want {
			t.Errorf("DevURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// fakeDevBot answers the development endpoints with status and body, and
// records what it was asked and with which key.
type fakeDevBot struct {
	status int
	body   string
	calls  atomic.Int64
	last   atomic.Value // "METHOD path?query key body"
}

func (b *fakeDevBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.calls.Add(1)
	var body strings.Builder
	if r.Body != nil {
		buf := make([]byte, 512)
		n, _ := r.Body.Read(buf)
		body.Write(buf[:n])
	}
	b.last.Store(fmt.Sprintf("%s %s %s %s", r.Method, r.URL.RequestURI(), r.Header.Get("X-App-Key"), body.String()))
	if b.status != 200 {
		http.Error(w, b.body, b.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(b.body))
}

// TestBotStateRelayed: the emulator calls the bot's development endpoints
// with the token, which the page never sees, and tells the page plainly
// why there is no state to show.
func TestBotStateRelayed(t *testing.T) {
	const state = `{"uid":7,"states":{"count":{"N":2}},"pending":0,"version":4,"expires":"2026-01-02T04:04:05Z","expired":false,"now":"2026-01-02T03:04:05Z"}`
	const clock = `{"offset":"1h0m0s","offset_seconds":3600,"now":"2026-01-02T04:04:05Z"}`
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	for _, tc := range []struct {
		name         string
		status       int
		body         string
		method, path string
		in           any
		want         int
		wantBody     string // a substring of the answer
		wantCall     string // what the bot was asked ("" when it must not be)
	}{
		{"state", 200, state, "GET", emulator.BotStatePath + "?uid=7", nil, 200, `"states":{"count":{"N":2}}`, "GET /dev/state?uid=7 " + token + " "},
		{"reset", 200, state, "POST", emulator.BotStateResetPath, map[string]any{"uid": 7}, 200, `"version":4`, "DELETE /dev/state?uid=7 " + token + " "},
		{"clock", 200, clock, "GET", emulator.BotClockPath, nil, 200, `"offset":"1h0m0s"`, "GET /dev/clock " + token + " "},
		{"advance", 200, clock, "POST", emulator.BotClockPath, emulator.ClockMove{Advance: "1h"}, 200, `"offset_seconds":3600`, "POST /dev/clock " + token + ` {"advance":"1h"}`},
		{"dev off", 404, "404 page not found", "GET", emulator.BotStatePath + "?uid=7", nil, 404, "development endpoints are off: start it with SOCIOGRAM_DEV=1", "GET /dev/state?uid=7 " + token + " "},
		{"no state", 404, "this bot keeps no per-user state", "GET", emulator.BotStatePath + "?uid=7", nil, 404, "the bot shows no state: this bot keeps no per-user state", "GET /dev/state?uid=7 " + token + " "},
		{"wrong token", 401, "no", "GET", emulator.BotClockPath, nil, 502, "same SOCIOGRAM_BOT_TOKEN", "GET /dev/clock " + token + " "},
		{"bad advance", 400, "advance must be a positive duration", "POST", emulator.BotClockPath, emulator.ClockMove{Advance: "-1h"}, 400, "the bot: advance must be", "POST /dev/clock " + token + ` {"advance":"-1h"}`},
		{"reset conflict", 409, "kept changing", "POST", emulator.BotStateResetPath, map[string]any{"uid": 7}, 409, "kept changing", "DELETE /dev/state?uid=7 " + token + " "},
		{"bot fails", 500, "boom " + token, "GET", emulator.BotStatePath + "?uid=7", nil, 502, "the bot answered 500: boom [REDACTED]", "GET /dev/state?uid=7 " + token + " "},
		{"junk", 200, "<html>", "GET", emulator.BotStatePath + "?uid=7", nil, 502, "not what the emulator expects", "GET /dev/state?uid=7 " + token + " "},
		{"bad uid", 200, state, "GET", emulator.BotStatePath + "?uid=x", nil, 400, "uid must be", ""},
		{"reset no uid", 200, state, "POST", emulator.BotStateResetPath, map[string]any{}, 400, "uid must be", ""},
		{"no move", 200, clock, "POST", emulator.BotClockPath, emulator.ClockMove{}, 400, "advance", ""},
		{"two moves", 200, clock, "POST", emulator.BotClockPath, emulator.ClockMove{Advance: "1h", Offset: "0s"}, 400, "advance", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fb := &fakeDevBot{status: tc.status, body: tc.body}
			bot := httptest.NewServer(fb)
			defer bot.Close()
			_, base := start(t, emulator.WithBotURL(bot.URL+"/webhook"))
			var a answer
			if tc.in == nil {
				a = call(t, tc.method, base+tc.path, nil, "")
			} else {
				a = pageCall(t, tc.method, base+tc.path, tc.in)
			}
			if a.Status != tc.want || !strings.Contains(a.Body, tc.wantBody) || strings.Contains(a.Body, token) {
				t.Errorf("%s %s: %d %q, want %d with %q and no token", tc.method, tc.path, a.Status, a.Body, tc.want, tc.wantBody)
			}
			got, _ := fb.last.Load().(string)
			if got != tc.wantCall {
				t.Errorf("the bot was asked %q, want %q", got, tc.wantCall)
			}
		})
	}

	_, base := start(t, emulator.WithBotURL(down.URL+"/webhook"))
	if a := call(t, "GET", base+emulator.BotStatePath+"?uid=7", nil, ""); a.Status != 502 || !strings.Contains(a.Body, "cannot be reached") {
		t.Errorf("bot down: %d %q, want 502 saying it cannot be reached", a.Status, a.Body)
	}
	// The page's posture: the writes need a JSON body, which a cross-site
	// form cannot send.
	for _, p := range []string{emulator.BotStateResetPath, emulator.BotClockPath} {
		a := call(t, "POST", base+p, map[string]string{"Content-Type": "text/plain"}, `{"uid":7,"advance":"1h"}`)
		if a.Status != http.StatusUnsupportedMediaType {
			t.Errorf("POST %s as text/plain: %d, want 415", p, a.Status)
		}
	}
}

// TestBotStateFromBinary: bin/webhook of the fixture bot with SOCIOGRAM_DEV=1
// and its state in memory (TTL 1h): /count twice shows {"count":{"N":2}}
// through the emulator, a reset empties it, moving the bot's clock past the
// TTL expires it; without SOCIOGRAM_DEV the emulator says how to turn it on.
func TestBotStateFromBinary(t *testing.T) {
	bin := testtools.Build(t, testtools.FixtureWebhook)
	for _, dev := range []bool{true, false} {
		t.Run(fmt.Sprintf("dev=%v", dev), func(t *testing.T) {
			emu, base := start(t, emulator.WithUser(12345, "Alice"))
			port := testtools.FreePort(t)
			env := []string{"SOCIOGRAM_BOT_TOKEN=" + token, "SOCIOGRAM_API_URL=" + base, fmt.Sprintf("PORT=%d", port),
				"SOCIOGRAM_STATE=memory", "SOCIOGRAM_STATE_TTL=1h"}
			if dev {
				env = append(env, "SOCIOGRAM_DEV=1")
			}
			proc := testtools.Start(t, bin, env)
			bot := fmt.Sprintf("http://127.0.0.1:%d", port)
			testtools.WaitHTTP(t, bot+"/healthz", 20*time.Second)
			pageCall(t, "PUT", base+emulator.SettingsPath, emulator.Settings{BotURL: bot + "/webhook"})
			t.Cleanup(func() {
				if strings.Contains(proc.Output(), token) {
					t.Error("the token appears in the bot's output")
				}
			})
			count := func(want string) {
				t.Helper()
				if o := outcome(t, pageCall(t, "POST", base+emulator.MessagePath, map[string]any{"uid": 12345, "text": "/count"})); !o.Log.OK {
					t.Fatalf("delivery = %+v", o.Log)
				}
				chat := emu.State().Chats[12345]
				if got := chat[len(chat)-1].Text; got != want {
					t.Fatalf("reply = %q, want %q", got, want)
				}
			}
			count("count 1")
			count("count 2")
			if !dev {
				a := call(t, "GET", base+emulator.BotStatePath+"?uid=12345", nil, "")
				if a.Status != 404 || !strings.Contains(a.Body, "SOCIOGRAM_DEV=1") {
					t.Errorf("dev off: %d %q, want 404 naming SOCIOGRAM_DEV=1", a.Status, a.Body)
				}
				return
			}
			if s := botState(t, base, "GET", emulator.BotStatePath+"?uid=12345", nil); statesOf(s) != `{"count":{"N":2}}` || s.Expired {
				t.Errorf("after two counts: %+v, states %s", s, statesOf(s))
			}
			if s := botState(t, base, "POST", emulator.BotStateResetPath, map[string]any{"uid": 12345}); statesOf(s) != `{}` {
				t.Errorf("reset answered states %s, want {}", statesOf(s))
			}
			count("count 1")
			var c emulator.BotClock
			decode(t, pageCall(t, "POST", base+emulator.BotClockPath, emulator.ClockMove{Advance: "61m"}), &c)
			if c.Offset != "1h1m0s" {
				t.Errorf("clock after +61m: %+v", c)
			}
			if s := botState(t, base, "GET", emulator.BotStatePath+"?uid=12345", nil); !s.Expired || statesOf(s) != `{}` {
				t.Errorf("past the TTL: %+v, states %s, want expired and empty", s, statesOf(s))
			}
			count("count 1")
		})
	}
}

func botState(t *testing.T, base, method, path string, in any) emulator.BotState {
	t.Helper()
	var s emulator.BotState
	if in == nil {
		decode(t, call(t, method, base+path, nil, ""), &s)
	} else {
		decode(t, pageCall(t, method, base+path, in), &s)
	}
	return s
}

func decode(t *testing.T, a answer, v any) {
	t.Helper()
	if a.Status != 200 {
		t.Fatalf("answered %d %q", a.Status, a.Body)
	}
	if err := json.Unmarshal([]byte(a.Body), v); err != nil {
		t.Fatalf("%v in %q", err, a.Body)
	}
}

func statesOf(s emulator.BotState) string {
	b, _ := json.Marshal(s.States)
	return string(b)
}
