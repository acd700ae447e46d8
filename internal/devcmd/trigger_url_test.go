package devcmd_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/internal/devcmd"
)

// TestTriggerURLMustBeSecure: trigger sends the token, so its URL may be
// plain http:// only to this machine unless -allow-http says otherwise; the
// error names where the URL came from and why, and nothing is sent.
func TestTriggerURLMustBeSecure(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  func(string) string
		code int
		out  string
	}{
		{"plain http to another host", []string{"-url", "http://bot.example.com/webhook"}, env("SOCIOGRAM_BOT_TOKEN", token),
			devcmd.ExitUsage, `-url="http://bot.example.com/webhook": plain http:// to bot.example.com would send the bot token unencrypted`},
		{"plain http from BOT_URL", nil, env("SOCIOGRAM_BOT_TOKEN", token, "BOT_URL", "http://10.1.2.3:8080/webhook"),
			devcmd.ExitUsage, `BOT_URL="http://10.1.2.3:8080/webhook": plain http:// to 10.1.2.3`},
		{"no host", []string{"-url", "https:///webhook"}, env("SOCIOGRAM_BOT_TOKEN", token), devcmd.ExitUsage, "has no host"},
		{"not http", []string{"-url", "ftp://bot.example.com"}, env("SOCIOGRAM_BOT_TOKEN", token), devcmd.ExitUsage, "want an https:// URL"},
		{"allowed: tried, and nobody answers", []string{"-allow-http", "-timeout", "5s", "-url", "http://bot.invalid/webhook"},
			env("SOCIOGRAM_BOT_TOKEN", token), devcmd.ExitFailed, "no answer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			code := devcmd.Trigger(context.Background(), "sociogram trigger", c.args, c.env, &out, &out)
			if code != c.code || !strings.Contains(out.String(), c.out) {
				t.Errorf("exit %d, want %d; output lacks %q:\n%s", code, c.code, c.out, out.String())
			}
			if strings.Contains(out.String(), token) {
				t.Errorf("the token appears in the output:\n%s", out.String())
			}
		})
	}
}
