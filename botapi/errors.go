package botapi

import (
	"errors"
	"fmt"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// APIError is a send-message call the platform answered with a non-2xx status
// or with success:false.
type APIError struct {
	Status     int           // the HTTP status
	RetryAfter time.Duration // from the Retry-After header, 0 when absent
	Body       string        // a short excerpt of the body, token redacted
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("sociogram: send-message answered %d", e.Status)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// Temporary reports whether the call may succeed if sent again: 429 and 5xx.
func (e *APIError) Temporary() bool {
	return e.Status == 429 || e.Status >= 500
}

// Sentinel conditions, matched with errors.Is.
var (
	// ErrDeadline: the send could not be made or retried before the
	// context's deadline (waiting for the rate limit or a Retry-After).
	ErrDeadline = errors.New("sociogram: no time left before the deadline")
	// ErrMaybeDelivered: the connection failed after the request was
	// written, so the platform may have accepted the message. It is not
	// retried, to avoid a duplicate. It is handler.ErrMaybeDelivered, so
	// the core answers the webhook 200 and logs a warning.
	ErrMaybeDelivered = handler.ErrMaybeDelivered
	// ErrRedirect: the API answered with a 3xx. The client follows no
	// redirect, so the token never goes to another host (or from https to
	// http); the error names where the redirect pointed. Not retried.
	ErrRedirect = errors.New("sociogram: the Bot API answered with a redirect, which is not followed")
	// ErrBadUID: a uid that cannot be a user.
	ErrBadUID = errors.New("sociogram: uid must be positive")
)
