package devcmd

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTriggerChoosesEmulator: SOCIOGRAM_API_URL is taken for an emulator
// only when it is plain http to this machine and no bot URL or chat was
// given; -emulator always is.
func TestTriggerChoosesEmulator(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		emulator string
		auto     bool
	}{
		{"-emulator HOST:PORT", []string{"-emulator", "127.0.0.1:8090"}, nil, "http://127.0.0.1:8090", false},
		{"-emulator URL", []string{"-emulator", "http://localhost:9/"}, nil, "http://localhost:9", false},
		{"-emulator beats BOT_URL", []string{"-emulator", "127.0.0.1:8090"}, map[string]string{"BOT_URL": "http://127.0.0.1:1/webhook"}, "http://127.0.0.1:8090", false},
		{"SOCIOGRAM_API_URL on loopback", nil, map[string]string{"SOCIOGRAM_API_URL": "http://127.0.0.1:8090"}, "http://127.0.0.1:8090", true},
		{"SOCIOGRAM_API_URL with a path", nil, map[string]string{"SOCIOGRAM_API_URL": "http://localhost:8090/x"}, "http://localhost:8090", true},
		{"SOCIOGRAM_API_URL elsewhere", nil, map[string]string{"SOCIOGRAM_API_URL": "https://api.sociogram.org"}, "", false},
		{"BOT_URL given", nil, map[string]string{"SOCIOGRAM_API_URL": "http://127.0.0.1:8090", "BOT_URL": "http://127.0.0.1:8080/webhook"}, "", false},
		{"-url given", []string{"-url", "http://127.0.0.1:8080/webhook"}, map[string]string{"SOCIOGRAM_API_URL": "http://127.0.0.1:8090"}, "", false},
		{"-chat given", []string{"-chat", "c"}, map[string]string{"SOCIOGRAM_API_URL": "http://127.0.0.1:8090"}, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"SOCIOGRAM_BOT_TOKEN": "t"}
			for k, v := range c.env {
				env[k] = v
			}
			o, err := parseTrigger("trigger", c.args, func(k string) string { return env[k] }, io.Discard)
			if err != nil || o.emulator != c.emulator || o.autoEmulator != c.auto {
				t.Errorf("emulator %q auto %v, %v; want %q %v", o.emulator, o.autoEmulator, err, c.emulator, c.auto)
			}
		})
	}
}

// TestTriggerAutoEmulatorFallsBack: when SOCIOGRAM_API_URL is not an
// emulator (the fake API answers 404), triggerViaEmulator leaves the event
// to the direct post and prints nothing.
func TestTriggerAutoEmulatorFallsBack(t *testing.T) {
	fake := httptest.NewServer(http.NotFoundHandler())
	defer fake.Close()
	var out strings.Builder
	o := triggerOptions{emulator: fake.URL, autoEmulator: true, uid: 1, text: "hi", timeout: 5e9}
	if _, done := triggerViaEmulator(context.Background(), "trigger", o, &out, &out); done || out.Len() > 0 {
		t.Errorf("done %v, output %q; want the direct post, nothing printed", done, out.String())
	}
}
