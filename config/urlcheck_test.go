package config_test

import (
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/config"
)

// TestAPIURLPlainHTTPOnlyToLoopback: the token travels in a header, so
// SOCIOGRAM_API_URL may be plain http:// only to this machine; elsewhere it
// must be https:// unless SOCIOGRAM_ALLOW_HTTP=1 says the network is trusted.
func TestAPIURLPlainHTTPOnlyToLoopback(t *testing.T) {
	for _, c := range []struct {
		url, allow string
		why        string // "" when accepted; else what the error must say
	}{
		{url: "https://api.sociogram.org"},
		{url: "https://api.example.com:8443/base/"},
		{url: "http://127.0.0.1:8090"},
		{url: "http://127.4.5.6:8090"},
		{url: "http://localhost:8090"},
		{url: "http://LOCALHOST"},
		{url: "http://[::1]:8090"},
		{url: "http://api.sociogram.org", why: "unencrypted"},
		{url: "http://10.0.0.5:8090", why: "unencrypted"},
		{url: "http://localhost.attacker.example", why: "unencrypted"},
		{url: "http://127.0.0.1.nip.io", why: "unencrypted"},
		{url: "http://[::ffff:8.8.8.8]", why: "unencrypted"},
		{url: "http://emulator:8090", allow: "1"},
		{url: "http://emulator:8090", allow: "0", why: "unencrypted"},
		{url: "https://", why: "no host"},
		{url: "https:///bot", why: "no host"},
		{url: "ftp://api.sociogram.org", why: "https://"},
		{url: "api.sociogram.org", why: "https://"},
	} {
		_, err := config.FromEnv(env(map[string]string{config.EnvAPIURL: c.url, config.EnvAllowHTTP: c.allow}))
		switch {
		case c.why == "" && err != nil:
			t.Errorf("%s (allow %q): %v, want accepted", c.url, c.allow, err)
		case c.why != "" && err == nil:
			t.Errorf("%s (allow %q): accepted, want refused", c.url, c.allow)
		case c.why != "" && (!strings.Contains(err.Error(), config.EnvAPIURL) || !strings.Contains(err.Error(), c.why)):
			t.Errorf("%s: %v, want an error naming %s and saying %q", c.url, err, config.EnvAPIURL, c.why)
		}
	}
	if _, err := config.FromEnv(env(map[string]string{config.EnvAllowHTTP: "maybe"})); err == nil || !strings.Contains(err.Error(), config.EnvAllowHTTP) {
		t.Errorf("%s=maybe: %v, want an error naming it", config.EnvAllowHTTP, err)
	}
}
