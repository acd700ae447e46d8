package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// EnvAllowHTTP set to 1 lets SOCIOGRAM_API_URL be plain http:// to a host
// that is not loopback (a private network you trust, e.g. a container
// network); by default only https:// may leave the machine.
const EnvAllowHTTP = "SOCIOGRAM_ALLOW_HTTP"

// CheckTokenURL checks a URL the bot token is sent to: an absolute https://
// URL with a host, or plain http:// to a loopback host (127.0.0.0/8, ::1,
// localhost) unless allowHTTP. name is what the user set (a variable or a
// flag); the error names it and says why.
func CheckTokenURL(name, raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https"):
		return fmt.Errorf("%s=%q: want an https:// URL with a host (plain http:// only to this machine)", name, raw)
	case u.Hostname() == "":
		return fmt.Errorf("%s=%q: the URL has no host; want an absolute URL like https://HOST[:PORT][/PATH]", name, raw)
	case u.Scheme == "http" && !allowHTTP && !IsLoopback(u.Hostname()):
		return fmt.Errorf("%s=%q: plain http:// to %s would send the bot token unencrypted; use https://, "+
			"or set %s=1 if that network is trusted", name, raw, u.Hostname(), EnvAllowHTTP)
	}
	return nil
}

// IsLoopback reports whether host (without a port) is this machine:
// localhost, or an address in 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return ip != nil && ip.IsLoopback()
}

// allowHTTP reads SOCIOGRAM_ALLOW_HTTP.
func allowHTTP(getenv func(string) string) (bool, error) {
	switch v := strings.ToLower(getenv(EnvAllowHTTP)); v {
	case "", "0", "off", "false":
		return false, nil
	case "1", "on", "true":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: want 1 or 0", EnvAllowHTTP, v)
	}
}
