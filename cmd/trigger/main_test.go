package main_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

const token = "trigger-test-token-41c2"

// startWebhook runs bin/webhook, built on the fixture bot, against a fake
// Bot API.
func startWebhook(t *testing.T) (string, *sociogramtest.Server) {
	t.Helper()
	api := sociogramtest.NewServer(t, token)
	bin := testtools.Build(t, testtools.FixtureWebhook)
	port := testtools.FreePort(t)
	testtools.Start(t, bin, []string{"SOCIOGRAM_BOT_TOKEN=" + token, "SOCIOGRAM_API_URL=" + api.URL,
		"SOCIOGRAM_RATE_LIMIT=off", fmt.Sprintf("PORT=%d", port)})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testtools.WaitHTTP(t, base+httpadapter.HealthPath, 10*time.Second)
	return base + httpadapter.WebhookPath, api
}

// trigger runs bin/trigger and returns its exit code and output.
func trigger(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(testtools.Build(t, "./cmd/trigger"), args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func TestTrigger(t *testing.T) {
	url, api := startWebhook(t)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	cases := []struct {
		name  string
		env   []string
		args  []string
		code  int
		out   []string // substrings of the output
		reply string   // the reply the fake API must receive ("" for none)
	}{
		{"chat-message", []string{"SOCIOGRAM_BOT_TOKEN=" + token}, []string{"-url", url, "-text", "hello there"},
			0, []string{"POST " + url, `chat-message uid=12345 text="hello there"`, "200 OK"}, `Hello there! You said: \"hello there\"`},
		{"callback-query", []string{"SOCIOGRAM_BOT_TOKEN=" + token}, []string{"-url", url, "-callback", "more_info", "-uid", "42"},
			0, []string{`callback-query uid=42 callbackData="more_info"`, "200 OK"}, "You clicked a button with data: more_info"},
		{"token by flag, URL from BOT_URL", []string{"BOT_URL=" + url}, []string{"-token", token},
			0, []string{"200 OK"}, `You said: \"hello\"`},
		{"wrong token", []string{"SOCIOGRAM_BOT_TOKEN=wrong-" + token}, []string{"-url", url},
			1, []string{"401 Unauthorized"}, ""},
		{"bot down", []string{"SOCIOGRAM_BOT_TOKEN=" + token}, []string{"-url", down.URL + "/webhook"},
			1, []string{"no answer", "connection refused"}, ""},
		{"no token", nil, []string{"-url", url}, 2, []string{"no token: set SOCIOGRAM_BOT_TOKEN"}, ""},
		{"both kinds", []string{"SOCIOGRAM_BOT_TOKEN=" + token}, []string{"-text", "a", "-callback", "b"}, 2, []string{"not both"}, ""},
		{"bad flag", []string{"SOCIOGRAM_BOT_TOKEN=" + token}, []string{"-nope"}, 2, []string{"Usage: trigger"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api.Reset()
			code, out := trigger(t, c.env, c.args...)
			if code != c.code {
				t.Errorf("exit code %d, want %d; output:\n%s", code, c.code, out)
			}
			for _, s := range c.out {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			if strings.Contains(out, token) {
				t.Errorf("the token appears in the output:\n%s", out)
			}
			sent := api.Sent()
			switch {
			case c.reply == "" && len(sent) > 0:
				t.Errorf("the bot replied %s", sent[0].Body)
			case c.reply != "" && (len(sent) != 1 || !strings.Contains(string(sent[0].Body), c.reply)):
				t.Errorf("replies %v, want one containing %s", sent, c.reply)
			}
		})
	}
}
