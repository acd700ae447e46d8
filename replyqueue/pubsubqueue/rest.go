package pubsubqueue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// maxAnswer caps what is read of Pub/Sub's answer to a publish (a few
// hundred bytes, or Google's error).
const maxAnswer = 64 << 10

// maxMessageText caps how much of Google's error message an APIError keeps.
const maxMessageText = 512

// attempts is how many times a publish is tried; backoff is the wait
// before the second try, doubled before each further one.
const (
	attempts = 3
	backoff  = 100 * time.Millisecond
)

// APIError is a publish Pub/Sub answered with something other than 200:
// its HTTP status and what Google said about it.
type APIError struct {
	Topic      string
	StatusCode int    // the HTTP status
	Status     string // Google's status, e.g. PERMISSION_DENIED, when it gave one
	Message    string // Google's message, or the start of a body that was not Google's error
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("pubsub: publish to %s: %d %s", e.Topic, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Status != "" {
		s += " (" + e.Status + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Temporary reports whether the same publish may succeed if tried again.
func (e *APIError) Temporary() bool {
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// message is one message of a publish request (REST: PubsubMessage).
type message struct {
	Data        []byte            `json:"data"` // base64 in JSON
	OrderingKey string            `json:"orderingKey,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
}

// publish sends m and returns once Pub/Sub answered with its message id,
// trying again after a temporary failure.
func (q *Queue) publish(ctx context.Context, m message) error {
	body, err := json.Marshal(struct {
		Messages []message `json:"messages"`
	}{[]message{m}})
	if err != nil {
		return fmt.Errorf("pubsub: %w", err)
	}
	wait := backoff
	for try := 1; ; try++ {
		err = q.publishOnce(ctx, body)
		if err == nil || !retryable(err) || try == attempts || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait *= 2
	}
}

// retryable reports whether a publish that failed with err may succeed at
// once if tried again: a temporary status or a broken connection, not a
// refusal or missing credentials.
func retryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Temporary()
	}
	return !errors.Is(err, ErrNoCredentials)
}

func (q *Queue) publishOnce(ctx context.Context, body []byte) error {
	u := &url.URL{Path: "/v1/" + q.topic + ":publish"}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, q.endpoint+u.EscapedPath(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("pubsub: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	var secret string
	if !q.emulator {
		auth, err := q.token()
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", auth)
		_, secret, _ = strings.Cut(auth, " ")
	}
	resp, err := q.hc.Do(req)
	if err != nil {
		return fmt.Errorf("pubsub: publish to %s: %w", q.topic, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("pubsub: publish to %s: reading the answer: %w", q.topic, err)
	}
	if resp.StatusCode != http.StatusOK {
		return q.apiError(resp, answer, secret)
	}
	var ok struct {
		MessageIDs []string `json:"messageIds"`
	}
	if json.Unmarshal(answer, &ok) != nil || len(ok.MessageIDs) != 1 {
		return &APIError{Topic: q.topic, StatusCode: resp.StatusCode, Message: "no message id in the answer: " + clip(string(answer), secret)}
	}
	return nil
}

// apiError reads Google's error ({"error": {"code", "message", "status"}})
// from a failed publish's answer.
func (q *Queue) apiError(resp *http.Response, answer []byte, secret string) *APIError {
	e := &APIError{Topic: q.topic, StatusCode: resp.StatusCode}
	if resp.StatusCode/100 == 3 {
		e.Message = "redirect not followed"
		return e
	}
	var g struct {
		Error struct {
			Message string `json:"message"`
			Status  string `json:"status"`
		} `json:"error"`
	}
	if json.Unmarshal(answer, &g) == nil && (g.Error.Message != "" || g.Error.Status != "") {
		e.Status, e.Message = clip(g.Error.Status, secret), clip(g.Error.Message, secret)
	} else {
		e.Message = clip(string(answer), secret)
	}
	return e
}

// clip makes s fit for an error string: one line, at most maxMessageText
// bytes, secret (the access token, never expected there) cut out.
func clip(s, secret string) string {
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if len(s) > maxMessageText {
		s = strings.ToValidUTF8(s[:maxMessageText], "") + "…"
	}
	return s
}

// ErrBadTopic is New's error for a topic name of the wrong shape (wrapped
// with the name and the shape wanted).
var ErrBadTopic = errors.New("pubsub: topic")

// checkTopic accepts projects/PROJECT/topics/TOPIC.
func checkTopic(topic string) error {
	p := strings.Split(topic, "/")
	if len(p) != 4 || p[0] != "projects" || p[2] != "topics" || p[1] == "" || p[3] == "" ||
		strings.ContainsAny(topic, "?# \t\r\n") {
		return fmt.Errorf("%w %q: want projects/PROJECT/topics/TOPIC", ErrBadTopic, topic)
	}
	return nil
}

// checkEndpoint returns the base URL to publish to: http://HOST:PORT for
// the emulator; otherwise endpoint itself, if it is https, or http to a
// loopback host.
func checkEndpoint(endpoint string, emulator bool) (string, error) {
	if emulator {
		host, port, err := net.SplitHostPort(endpoint)
		if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 || strings.ContainsAny(host, "/?#@ ") {
			return "", fmt.Errorf("pubsub: %s=%q: want HOST:PORT, e.g. 127.0.0.1:8085", EnvEmulatorHost, endpoint)
		}
		return "http://" + endpoint, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("pubsub: endpoint %q: want https://HOST[:PORT]", endpoint)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback(u.Hostname()):
	case u.Scheme == "http":
		return "", fmt.Errorf("pubsub: endpoint %q: plain http only to a loopback host (for the emulator, set %s)", endpoint, EnvEmulatorHost)
	default:
		return "", fmt.Errorf("pubsub: endpoint %q: want https://HOST[:PORT]", endpoint)
	}
	return u.Scheme + "://" + u.Host, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// noRedirects returns a copy of hc that follows no redirect: Go would send
// the Authorization header on to whatever host a 3xx names. The 3xx comes
// back as the answer and becomes an APIError.
func noRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
	}
}

// defaultCredentials is Application Default Credentials for Scope: on Cloud
// Functions, the runtime service account's tokens from the metadata server.
func defaultCredentials(ctx context.Context) (oauth2.TokenSource, error) {
	return google.DefaultTokenSource(ctx, Scope)
}
