// Package outbound builds the HTTP clients the kit calls other services
// with (the Bot API, Firestore, Pub/Sub): a keep-alive transport with
// timeouts on every step before the answer's body, and a client that
// follows no redirect. Standard library only.
package outbound

import (
	"net"
	"net/http"
	"time"
)

// NoRedirects returns a copy of hc that follows no redirect: Go would send
// the request's credentials (an Authorization or X-App-Key header) on to
// whatever host a 3xx names, even from https to http. The 3xx comes back as
// the answer, for the caller to turn into an error. hc is not changed.
func NoRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// NewTransport returns a transport keeping up to idle connections alive
// (per host, and in all) for 90 s, honouring the proxy variables, with 5 s
// to dial and 5 s for the TLS handshake, and waiting at most
// responseHeader for an answer's headers once the request is sent.
func NewTransport(idle int, responseHeader time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          idle,
		MaxIdleConnsPerHost:   idle,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: responseHeader,
	}
}
