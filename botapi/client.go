package botapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/outbound"
)

// DefaultBaseURL is the platform's API base URL.
const DefaultBaseURL = "https://api.sociogram.org"

// SendPath is the send-message endpoint, relative to the base URL.
const SendPath = "/bot/send-message"

// Client sends messages through the Bot API. It implements handler.Sender.
type Client struct {
	base        string
	token       func() string
	redactor    func(string) string // also removes other secrets from error texts; nil: none
	hc          *http.Client
	clock       Clock
	limiter     *limiter // nil when rate spacing is off
	maxAttempts int
	backoff     time.Duration
	bufs        sync.Pool
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sets the API base URL (default DefaultBaseURL), e.g. a local
// fake or emulator.
func WithBaseURL(u string) Option { return func(c *Client) { c.base = strings.TrimRight(u, "/") } }

// WithTokenFunc makes the client read its token from f before every call, so a
// rotated token (handler.Keyring.Primary) is picked up without a restart.
func WithTokenFunc(f func() string) Option { return func(c *Client) { c.token = f } }

// WithRedact sets a function the client applies to every error text besides
// removing the token it sends with: config passes the keyring's Redact, so
// during a rotation neither token of a new,old pair can appear in an error.
func WithRedact(f func(string) string) Option { return func(c *Client) { c.redactor = f } }

// WithHTTPClient replaces the HTTP client (default: a keep-alive transport
// with dial, TLS and response-header timeouts).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithRateLimit turns the client's own spacing to the platform's limits on
// (the default) or off (load tests, or a platform with other limits).
func WithRateLimit(on bool) Option {
	return func(c *Client) {
		c.limiter = nil
		if on {
			c.limiter = newLimiter()
		}
	}
}

// WithRetry sets how many attempts a send makes in all (default 4) and the
// first backoff (default 250 ms, doubling each retry).
func WithRetry(attempts int, backoff time.Duration) Option {
	return func(c *Client) { c.maxAttempts, c.backoff = max(attempts, 1), backoff }
}

// WithClock injects the time source for spacing and backoff (tests).
func WithClock(clk Clock) Option { return func(c *Client) { c.clock = clk } }

// New returns a client that sends with token.
func New(token string, opts ...Option) *Client {
	c := &Client{
		base:        DefaultBaseURL,
		token:       func() string { return token },
		hc:          &http.Client{Transport: outbound.NewTransport(64, 10*time.Second)},
		clock:       wallClock{},
		limiter:     newLimiter(),
		maxAttempts: 4,
		backoff:     250 * time.Millisecond,
	}
	c.bufs.New = func() any { return new(bytes.Buffer) }
	for _, o := range opts {
		o(c)
	}
	// Go would send X-App-Key on to whatever host a 3xx names, even from
	// https to http: the 3xx comes back as the response, and parseResponse
	// turns it into an ErrRedirect. The caller's client is not changed.
	c.hc = outbound.NoRedirects(c.hc)
	return c
}

// sendRequest is the documented request body.
type sendRequest struct {
	UID     int64           `json:"uid"`
	Message handler.Message `json:"message"`
}

// EncodeRequest writes the documented send-message body for uid and msg to
// buf: {"uid": N, "message": {"text", "buttonMarkup", "media"}}, with
// <, > and & left as they are.
func EncodeRequest(buf *bytes.Buffer, uid int64, msg handler.Message) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sendRequest{UID: uid, Message: msg}); err != nil {
		return fmt.Errorf("sociogram: encoding message: %w", err)
	}
	return nil
}

// Send delivers msg to uid; see the package documentation for spacing,
// retries and errors. It implements handler.Sender.
func (c *Client) Send(ctx context.Context, uid int64, msg handler.Message) error {
	_, err := c.SendMessage(ctx, uid, msg)
	return err
}

// SendMessage is Send that also returns the platform's message id.
func (c *Client) SendMessage(ctx context.Context, uid int64, msg handler.Message) (string, error) {
	if uid <= 0 {
		return "", ErrBadUID
	}
	buf := c.bufs.Get().(*bytes.Buffer)
	defer c.bufs.Put(buf)
	buf.Reset()
	if err := EncodeRequest(buf, uid, msg); err != nil {
		return "", err
	}
	if c.limiter != nil {
		if err := c.pace(ctx, uid); err != nil {
			return "", err
		}
	}
	for attempt := 1; ; attempt++ {
		id, err := c.post(ctx, buf.Bytes())
		if err == nil || attempt >= c.maxAttempts || !retryable(err) {
			return id, err
		}
		wait := c.backoff << (attempt - 1)
		var ae *APIError
		if errors.As(err, &ae) && ae.RetryAfter > 0 {
			wait = ae.RetryAfter
		}
		if werr := c.waitUntil(ctx, c.clock.Now().Add(wait)); werr != nil {
			return "", fmt.Errorf("%w (last error: %w)", werr, err)
		}
	}
}

// pace waits for the send's slot under the platform's limits, shared fairly
// (see limiter): when the user's next slot is already booked by another of
// their sends, it asks again once that one has gone.
func (c *Client) pace(ctx context.Context, uid int64) error {
	dl, _ := ctx.Deadline()
	for {
		at, booked := c.limiter.slot(c.clock.Now(), uid, dl)
		if err := c.waitUntil(ctx, at); err != nil || booked {
			return err
		}
	}
}

// waitUntil sleeps until t, failing at once with ErrDeadline when t is past
// the context's deadline.
func (c *Client) waitUntil(ctx context.Context, t time.Time) error {
	if dl, ok := ctx.Deadline(); ok && t.After(dl) {
		return ErrDeadline
	}
	if err := c.clock.Sleep(ctx, t.Sub(c.clock.Now())); err != nil {
		return fmt.Errorf("%w: %w", ErrDeadline, err)
	}
	return nil
}

func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Temporary()
	}
	var ne *notSentError
	return errors.As(err, &ne)
}

// notSentError is a transport failure before the request was written: safe
// to retry.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return "sociogram: request not sent: " + e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

// Temporary is true: a request that never left may pass when sent later
// (the platform or the network may be back). Without it errors.As would
// find the *url.Error inside, whose Temporary is false for a refused
// connection, and the core would drop the reply instead of keeping it for
// the redelivery.
func (e *notSentError) Temporary() bool { return true }

// deadlineError is ErrDeadline with the transport's error: the webhook's
// context ended (its deadline, or the platform hung up) during the call. It
// is Temporary whatever the error inside says, so the core keeps the reply
// for the redelivery as it does at a deadline: a *url.Error around
// context.Canceled says false, which made a hang-up drop the reply.
type deadlineError struct{ err error }

func (e *deadlineError) Error() string   { return ErrDeadline.Error() + ": " + e.err.Error() }
func (e *deadlineError) Unwrap() []error { return []error{ErrDeadline, e.err} }
func (e *deadlineError) Temporary() bool { return true }

// post makes one attempt.
func (c *Client) post(ctx context.Context, body []byte) (string, error) {
	var wrote bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { wrote = true }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace),
		http.MethodPost, c.base+SendPath, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("sociogram: bad base URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(handler.HeaderAppKey, c.token())
	resp, err := c.hc.Do(req)
	if err != nil {
		err = c.redactErr(err)
		if ctx.Err() != nil {
			return "", &deadlineError{err}
		}
		if !wrote {
			return "", &notSentError{err}
		}
		return "", fmt.Errorf("%w: %w", ErrMaybeDelivered, err)
	}
	defer resp.Body.Close()
	return c.parseResponse(resp)
}

// maxResponse bounds how much of a response is read.
const maxResponse = 64 << 10

func (c *Client) parseResponse(resp *http.Response) (string, error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil && resp.StatusCode/100 == 2 {
		return "", fmt.Errorf("%w: reading response: %w", ErrMaybeDelivered, c.redactErr(err))
	}
	if resp.StatusCode/100 == 3 {
		return "", redirectError(resp)
	}
	if resp.StatusCode/100 != 2 {
		return "", c.apiError(resp, raw)
	}
	id, ok := ParseResponse(raw)
	if !ok {
		return "", c.apiError(resp, raw)
	}
	return id, nil
}

// ParseResponse reads a send-message response body, reporting the message id
// and whether it says success:true. messageId may be a string or a number.
func ParseResponse(raw []byte) (messageID string, ok bool) {
	var r struct {
		Success   bool            `json:"success"`
		MessageID json.RawMessage `json:"messageId"`
	}
	if json.Unmarshal(raw, &r) != nil || !r.Success {
		return "", false
	}
	id := r.MessageID
	if len(id) >= 2 && id[0] == '"' && bytes.IndexByte(id, '\\') < 0 {
		return string(id[1 : len(id)-1]), true // a string without escapes: no second decode
	}
	var s string
	if json.Unmarshal(id, &s) == nil {
		return s, true
	}
	return string(id), true
}

func (c *Client) apiError(resp *http.Response, raw []byte) *APIError {
	return &APIError{
		Status:     resp.StatusCode,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now()),
		Body:       excerpt([]byte(c.redact(string(raw))), 200), // redacted whole, then cut: no token prefix survives
	}
}

// redirectError names where a redirect pointed (scheme and host only) and
// what to fix.
func redirectError(resp *http.Response) error {
	to := "a Location it did not give"
	if u, err := resp.Location(); err == nil {
		to = u.Scheme + "://" + u.Host
	}
	return fmt.Errorf("%w: send-message answered %d pointing to %s; the token is not sent there: "+
		"set the base URL (SOCIOGRAM_API_URL) to the API's own address", ErrRedirect, resp.StatusCode, to)
}

// parseRetryAfter reads delta-seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func excerpt(b []byte, n int) string {
	s := strings.ToValidUTF8(string(b[:min(len(b), n)]), "")
	if len(b) > n {
		s += "…"
	}
	return strings.TrimSpace(s)
}

// redact removes the token, and whatever WithRedact removes, from s.
func (c *Client) redact(s string) string {
	if t := c.token(); t != "" {
		s = strings.ReplaceAll(s, t, "[REDACTED]")
	}
	if c.redactor != nil {
		s = c.redactor(s)
	}
	return s
}

func (c *Client) redactErr(err error) error {
	if s := c.redact(err.Error()); s != err.Error() {
		return errors.New(s)
	}
	return err
}
