// Package googleapi is what the kit's clients of Google's REST APIs
// (store/firestorestore, replyqueue/pubsubqueue) share, so that a Cloud
// Function speaks to Firestore and Pub/Sub over net/http and links no gRPC
// and no Google client library: only the standard library and
// golang.org/x/oauth2/google (a test keeps it so).
//
// A [Client] makes one JSON call at a time against an endpoint checked by
// [Endpoint] (https, or plain http to a loopback host) or [Emulator] (an
// emulator's HOST:PORT, plain http, no credentials). It authorises each
// call with an access token of [Credentials] (Application Default
// Credentials, found at the first call, not when the client is built),
// follows no redirect, reads at most a given number of bytes of the answer,
// and retries with backoff what the caller's predicate accepts, and every
// failure of the wire. A non-2xx answer is an [*Error] built from Google's
// JSON error (google.rpc.Status): the HTTP status, Google's status name,
// its message clipped; the access token never appears in an error.
package googleapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Client calls one Google REST API. Its fields are set before the first
// call and not changed after; it is then safe for concurrent use.
type Client struct {
	// Base is the API's scheme://host[:port], as Endpoint or Emulator
	// returned it.
	Base string
	// HTTP makes the calls; it must follow no redirect (outbound.NoRedirects).
	HTTP *http.Client
	// Auth gives each call its access token; nil for an emulator.
	Auth *Credentials
	// Authorization is the header sent when Auth is nil ("" for none).
	Authorization string
	// Attempts is how many times a call is tried in all (at least once);
	// Backoff the wait before the second, doubled before each further one,
	// each wait drawn at random from its second half (jitter).
	Attempts int
	Backoff  time.Duration
	// API names the service in an Error's text ("Firestore").
	API string
	// Hints says, per Google status, what to fix; an Error with that
	// status carries it.
	Hints map[string]string
	// NewError, if set, turns a non-2xx answer into the caller's own error
	// type; the retry predicate still sees the *Error.
	NewError func(*Error) error
}

// ErrTooLarge is the error of a 2xx answer longer than the call's limit.
var ErrTooLarge = errors.New("answer too large")

// Call sends body (JSON; nil for none) with method to the unescaped path
// (e.g. "/v1/projects/p/topics/t:publish", percent-encoded by EscapePath)
// and returns the body of the 2xx answer, at most limit bytes.
//
// A call is tried again, after a backoff, when the wire failed (no answer,
// or the answer broke off) or retry accepts the *Error of a non-2xx answer
// (nil: none is retried), while attempts are left and ctx lasts; never
// after missing credentials or an answer too large. Its error is then the
// last attempt's, followed by "(after N attempts)", or by "(stopped
// retrying: CAUSE)" when ctx ended first: errors.Is finds ctx's cause, and
// errors.As the last attempt's error.
func (c *Client) Call(ctx context.Context, method, path string, body []byte, limit int64, retry func(*Error) bool) ([]byte, error) {
	backoff := c.Backoff
	attempts := max(c.Attempts, 1)
	for attempt := 1; ; attempt++ {
		b, err := c.once(ctx, method, path, body, limit)
		var (
			ge *Error
			ce *credentialsError
		)
		switch {
		case err == nil:
			return b, nil
		case errors.As(err, &ge) && (retry == nil || !retry(ge)), errors.As(err, &ce), errors.Is(err, ErrTooLarge):
			return nil, c.typed(err)
		case ctx.Err() != nil:
			return nil, stopped(ctx, c.typed(err))
		case attempt >= attempts && attempts > 1:
			return nil, fmt.Errorf("%w (after %d attempts)", c.typed(err), attempt)
		case attempt >= attempts:
			return nil, c.typed(err)
		}
		d := backoff/2 + rand.N(backoff/2+1) // jitter: [backoff/2, backoff]
		backoff *= 2
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, stopped(ctx, c.typed(err))
		case <-t.C:
		}
	}
}

// stopped is err, the last attempt's, when ctx ended before a retry.
func stopped(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	if errors.Is(err, cause) {
		return err
	}
	return fmt.Errorf("%w (stopped retrying: %w)", err, cause)
}

// typed is err as the caller's error type, if err is an *Error and the
// caller has one.
func (c *Client) typed(err error) error {
	if e, ok := err.(*Error); ok && c.NewError != nil {
		return c.NewError(e)
	}
	return err
}

// once makes one attempt: the answer's body, or an *Error, a
// *credentialsError, ErrTooLarge or the transport's error, none holding the
// access token.
func (c *Client) once(ctx context.Context, method, path string, body []byte, limit int64) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+EscapePath(path), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	auth, token := c.Authorization, ""
	if c.Auth != nil {
		if auth, token, err = c.Auth.authorization(ctx); err != nil {
			return nil, err
		}
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, redact(err, token)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, redact(fmt.Errorf("%s: reading the answer: %w", resp.Status, err), token)
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if int64(len(b)) > limit {
		if ok {
			return nil, fmt.Errorf("%s: %w: more than %d bytes", resp.Status, ErrTooLarge, limit)
		}
		b = b[:limit] // an error's text keeps MaxMessage bytes of it anyway
	}
	if ok {
		return b, nil
	}
	return nil, c.newError(resp, b, token)
}

// Clip is s fit for an error's text, as an Error's message is: one line,
// at most MaxMessage bytes, without the access token last used.
func (c *Client) Clip(s string) string {
	var token string
	if c.Auth != nil {
		token = c.Auth.current()
	}
	return Clip(s, token)
}

// redact removes token from err's text, should it have been echoed there
// (the error is then a plain one with the rest of the text).
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, redacted))
}

// EscapePath percent-encodes each segment of a slash-separated path: every
// byte but RFC 3986's unreserved ones and sub-delimiters, ":" and "@"
// ("(default)" and ":commit" stay as they are; an id's "%" becomes "%25").
func EscapePath(p string) string {
	const keep = "-._~!$&'()*+,;=:@/"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
