package emulator_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/emulator"
	"github.com/sociogram-kit/kit/internal/testtools"
)

// TestAnyBotURL: the emulator drives the local adapters as built binaries,
// the plain-HTTP server and the Cloud Functions runner (functions-framework-go),
// each replying through the emulator's Bot API.
func TestAnyBotURL(t *testing.T) {
	for _, c := range []struct{ name, pkg, path, health string }{
		{"plain HTTP", testtools.FixtureWebhook, "/webhook", "/healthz"},
		{"Cloud Functions runner", testtools.FixtureGCF, "/", "/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			emu, base := start(t, emulator.WithUser(12345, "Alice"))
			port := testtools.FreePort(t)
			testtools.Start(t, testtools.Build(t, c.pkg), []string{"SOCIOGRAM_BOT_TOKEN=" + token,
				"SOCIOGRAM_API_URL=" + base, fmt.Sprintf("PORT=%d", port)})
			bot := fmt.Sprintf("http://127.0.0.1:%d", port)
			testtools.WaitHTTP(t, bot+c.health, 20*time.Second)
			pageCall(t, "PUT", base+emulator.SettingsPath, emulator.Settings{BotURL: bot + c.path})
			o := outcome(t, pageCall(t, "POST", base+emulator.MessagePath, map[string]any{"uid": 12345, "text": "hello"}))
			if !o.Log.OK {
				t.Fatalf("delivery = %+v", o.Log)
			}
			chat := emu.State().Chats[12345]
			if len(chat) != 2 || chat[1].Text != `Hello there! You said: "hello"` {
				t.Errorf("chat = %+v", chat)
			}
			noToken(t, emu)
		})
	}
}
