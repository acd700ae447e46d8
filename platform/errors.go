package platform

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// The conditions a send-message call is rejected for, matched with
// errors.Is on an *Error. Their text starts the error the fakes answer.
var (
	ErrNotFound    = errors.New("unknown endpoint")                      // 404
	ErrMethod      = errors.New("method must be POST")                   // 405
	ErrBadKey      = errors.New("invalid X-App-Key")                     // 401
	ErrContentType = errors.New("Content-Type must be application/json") // 415
	ErrTooLarge    = errors.New("body too large")                        // 413
	ErrMalformed   = errors.New("malformed body")                        // 400
	ErrRateLimit   = errors.New("rate limit")                            // 429
)

// Error is a rejected call: the status the platform answers, the condition
// and what exactly is wrong. Its text, which the answer's body carries,
// names the field to fix and never quotes the body's values.
type Error struct {
	Status     int           // the HTTP status answered
	Err        error         // the condition, one of the ErrXxx above or a fake's own
	Detail     string        // what exactly, e.g. `button 1 of row 2 has no "text"`; may be empty
	RetryAfter time.Duration // a 429's wait, sent as Retry-After in whole seconds
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

// RetryAfterSeconds is the Retry-After header value: whole seconds, rounded up.
func (e *Error) RetryAfterSeconds() int {
	return int((e.RetryAfter + time.Second - 1) / time.Second)
}

// Body is the answer's body: {"success":false,"error":"<Error()>"} and a newline.
func (e *Error) Body() []byte { return answer(false, "", e.Error()) }

// Write answers the call: the status, Content-Type application/json, Allow
// for a 405, Retry-After for a wait, and Body.
func (e *Error) Write(w http.ResponseWriter) {
	h := w.Header()
	if errors.Is(e, ErrMethod) {
		h.Set("Allow", http.MethodPost)
	}
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds()))
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	w.Write(e.Body())
}

// AcceptedBody is the documented success answer for the message with id:
// {"success":true,"messageId":"<id>"} and a newline.
func AcceptedBody(id string) []byte { return answer(true, id, "") }

// WriteAccepted answers 200 with AcceptedBody(id).
func WriteAccepted(w http.ResponseWriter, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(AcceptedBody(id))
}

func answer(ok bool, id, reason string) []byte {
	v := struct {
		Success   bool   `json:"success"`
		MessageID string `json:"messageId,omitempty"`
		Error     string `json:"error,omitempty"`
	}{ok, id, reason}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v) // cannot fail for strings; ends with a newline
	return buf.Bytes()
}
