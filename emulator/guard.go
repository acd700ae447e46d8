package emulator

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// WithAllowedHost adds a host (its address, "host:port" or "host") whose
// name the emulator answers in the Host header besides loopback addresses
// and localhost: the address it listens on (EMULATOR_ADDR) when that is not
// loopback.
func WithAllowedHost(addr string) Option {
	return func(e *Emulator) {
		if h := hostname(addr); h != "" {
			e.hosts = append(e.hosts, h)
		}
	}
}

// guard refuses, with 403, what a web page other than the emulator's own
// could send: any request whose Host is not this machine (a page whose
// domain name was rebound to 127.0.0.1, DNS rebinding), and any
// state-changing request whose Origin, when present, is not the emulator's.
// The token is not in the page, but the emulator sends it with every webhook
// to the bot URL the page sets.
func (e *Emulator) guard(w http.ResponseWriter, r *http.Request) bool {
	if !e.hostAllowed(r.Host) {
		http.Error(w, "emulator: Host "+r.Host+" is not this machine: open the page at http://127.0.0.1:PORT/ or http://localhost:PORT/ (or the address in EMULATOR_ADDR)", http.StatusForbidden)
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
		http.Error(w, "emulator: Origin "+o+" is not the emulator's page: changes come from its own page only", http.StatusForbidden)
		return false
	}
	return true
}

func (e *Emulator) hostAllowed(hostHeader string) bool {
	h := hostname(hostHeader)
	if h == "" {
		return false
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, a := range e.hosts {
		if strings.EqualFold(h, a) {
			return true
		}
	}
	return false
}

// sameOrigin reports whether origin is http://HOST, HOST being the request's
// Host header (already checked to be this machine).
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Scheme == "http" && strings.EqualFold(u.Host, host) && u.Path == "" && u.User == nil
}

// hostname is the host of "host:port", "[v6]:port", "host" or "[v6]",
// without brackets.
func hostname(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}
