package config_test

import (
	"testing"

	"github.com/sociogram-kit/kit/config"
)

// TestConfigErrorsNameWhatToFix: each refused value gives the variable, the
// value and the form wanted, word for word.
func TestConfigErrorsNameWhatToFix(t *testing.T) {
	const hostWant = `: want a host name or IP address with no scheme and no port, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface); the port goes in PORT`
	for _, c := range []struct {
		env map[string]string
		err string
	}{
		{map[string]string{"PORT": "abc"}, `PORT="abc": want a port number from 0 to 65535 (0: any free port)`},
		{map[string]string{"PORT": "65536"}, `PORT="65536": want a port number from 0 to 65535 (0: any free port)`},
		{map[string]string{"PORT": "+80"}, `PORT="+80": want a port number from 0 to 65535 (0: any free port)`},
		{map[string]string{"PORT": " 80"}, `PORT=" 80": want a port number from 0 to 65535 (0: any free port)`},
		{map[string]string{"HOST": "0.0.0.0:8080"}, `HOST="0.0.0.0:8080"` + hostWant},
		{map[string]string{"HOST": "http://localhost"}, `HOST="http://localhost"` + hostWant},
		{map[string]string{"HOST": "my host"}, `HOST="my host"` + hostWant},
		{map[string]string{"SOCIOGRAM_API_URL": "http://"}, `SOCIOGRAM_API_URL="http://": the URL has no host; want an absolute URL like https://HOST[:PORT][/PATH]`},
		{map[string]string{"SOCIOGRAM_API_URL": "http://:8090"}, `SOCIOGRAM_API_URL="http://:8090": the URL has no host; want an absolute URL like https://HOST[:PORT][/PATH]`},
		{map[string]string{"SOCIOGRAM_API_URL": "127.0.0.1:8090"}, `SOCIOGRAM_API_URL="127.0.0.1:8090": want an https:// URL with a host (plain http:// only to this machine)`},
		{map[string]string{"SOCIOGRAM_API_URL": "/bot"}, `SOCIOGRAM_API_URL="/bot": want an https:// URL with a host (plain http:// only to this machine)`},
		{map[string]string{"SOCIOGRAM_RATE_LIMIT": "sometimes"}, `SOCIOGRAM_RATE_LIMIT="sometimes": want on or off`},
		{map[string]string{"SOCIOGRAM_MAX_IN_FLIGHT": "0"}, `SOCIOGRAM_MAX_IN_FLIGHT="0": want a positive number`},
		{map[string]string{"LOG_LEVEL": "chatty"}, `LOG_LEVEL="chatty": want debug, info, warn or error`},
		{map[string]string{"SOCIOGRAM_REPLY_QUEUE": "sqs"}, `SOCIOGRAM_REPLY_QUEUE="sqs": want local or off`},
	} {
		_, err := config.FromEnv(env(c.env))
		if err == nil || err.Error() != c.err {
			t.Errorf("%v:\n got %v\nwant %s", c.env, err, c.err)
		}
	}
}

// TestListen: HOST and PORT as the plain-HTTP server and the Cloud
// Functions runner read them.
func TestListen(t *testing.T) {
	for _, c := range []struct {
		env        map[string]string
		host, port string
	}{
		{nil, "127.0.0.1", "8080"},
		{map[string]string{"HOST": "0.0.0.0", "PORT": "0"}, "0.0.0.0", "0"},
		{map[string]string{"HOST": "::1"}, "::1", "8080"},
		{map[string]string{"HOST": "[::1]"}, "::1", "8080"},
		{map[string]string{"HOST": "localhost", "PORT": "9000"}, "localhost", "9000"},
		{map[string]string{"HOST": "bot-1.internal"}, "bot-1.internal", "8080"},
	} {
		h, p, err := config.Listen(env(c.env))
		if err != nil || h != c.host || p != c.port {
			t.Errorf("%v: %q %q %v, want %q %q", c.env, h, p, err, c.host, c.port)
		}
	}
}
