package googleapi

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Endpoint checks an API's base URL and returns it as scheme://host[:port]:
// https://, or plain http:// to a loopback host only (a test's fake: the
// access token must not cross a network unencrypted), with no path (but
// "/"), query, fragment or user. envEmulatorHost names the emulator's
// variable in the error.
func Endpoint(baseURL, envEmulatorHost string) (string, error) {
	u, err := url.Parse(baseURL)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("endpoint %q: want https://HOST[:PORT] with no path", baseURL)
	case u.Scheme == "http" && !Loopback(u.Hostname()):
		return "", fmt.Errorf("endpoint %q: plain http:// to %s would send the access token unencrypted; "+
			"use https:// (for an emulator: %s)", baseURL, u.Hostname(), envEmulatorHost)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Emulator checks an emulator's HOST:PORT (the value of envEmulatorHost,
// e.g. FIRESTORE_EMULATOR_HOST) and returns its base URL, http://HOST:PORT.
// The host may be any (a container's name): an emulator gets no access
// token.
func Emulator(hostport, envEmulatorHost string) (string, error) {
	host, port, err := net.SplitHostPort(hostport)
	n, perr := strconv.Atoi(port)
	if err != nil || host == "" || strings.ContainsAny(host, "/?#@ ") ||
		perr != nil || strings.Trim(port, "0123456789") != "" || n < 1 || n > 65535 {
		return "", fmt.Errorf("%s=%q: want the emulator's HOST:PORT, with no scheme or path", envEmulatorHost, hostport)
	}
	return "http://" + hostport, nil
}

// Loopback reports whether host (a name or an IP address, with or without
// brackets) is this machine: localhost or a loopback address.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return ip != nil && ip.IsLoopback()
}
