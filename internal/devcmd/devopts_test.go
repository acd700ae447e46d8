package devcmd

import (
	"io"
	"net"
	"slices"
	"testing"
)

// TestBotEnv: the bot runs on the dev token, against the emulator, on
// loopback and PORT, with its development endpoints and the reply queue
// REPLY_QUEUE chose, as make run started it.
func TestBotEnv(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want []string
	}{
		{nil, []string{"SOCIOGRAM_BOT_TOKEN=dev-token", "SOCIOGRAM_API_URL=http://127.0.0.1:8090", "HOST=127.0.0.1", "PORT=8080", "SOCIOGRAM_DEV=1", "SOCIOGRAM_REPLY_QUEUE="}},
		{map[string]string{"REPLY_QUEUE": "LOCAL", "PORT": "9000", "DEV_TOKEN": "t0k"},
			[]string{"SOCIOGRAM_BOT_TOKEN=t0k", "SOCIOGRAM_API_URL=http://127.0.0.1:8090", "HOST=127.0.0.1", "PORT=9000", "SOCIOGRAM_DEV=1", "SOCIOGRAM_REPLY_QUEUE=local"}},
	}
	for _, c := range cases {
		o, err := parseDev("dev", nil, func(k string) string { return c.env[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.botEnv("http://127.0.0.1:8090"); !slices.Equal(got, c.want) {
			t.Errorf("%v: bot env %q, want %q", c.env, got, c.want)
		}
	}
}

func TestReachable(t *testing.T) {
	for configured, want := range map[string]string{
		"127.0.0.1:0":   "127.0.0.1:4321",
		":8090":         "127.0.0.1:4321",
		"0.0.0.0:8090":  "127.0.0.1:4321",
		"[::]:8090":     "[::1]:4321",
		"localhost:0":   "localhost:4321",
		"10.1.2.3:8090": "10.1.2.3:4321",
	} {
		if got := reachable(configured, &net.TCPAddr{IP: net.IPv6unspecified, Port: 4321}); got != want {
			t.Errorf("reachable(%q) = %q, want %q", configured, got, want)
		}
	}
}
