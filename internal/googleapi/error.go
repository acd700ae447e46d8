package googleapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// MaxMessage is how many bytes of Google's message (or of an answer that
// was not Google's error) an Error keeps.
const MaxMessage = 512

// redacted stands in an error's text for the access token.
const redacted = "[redacted]"

// Error is a non-2xx answer of a Google API.
type Error struct {
	API        string // the service, for the text: "Firestore"
	StatusCode int    // the HTTP status: 403
	HTTPStatus string // as the answer gave it: "403 Forbidden"
	// Status is Google's status name (PERMISSION_DENIED), or, when the
	// answer gave none, the one its HTTP status implies (a proxy's 502 is
	// UNAVAILABLE; a 404 implies none), or "".
	Status   string
	Google   bool   // the body was Google's JSON error
	Message  string // Google's message, clipped (Clip)
	Body     string // when not Google's error: the start of the body, clipped
	Location string // a redirect's target (not followed), clipped
	Hint     string // what to fix (the Client's Hints for Status)
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.HTTPStatus)
	if e.Status != "" {
		b.WriteString(": " + e.Status)
	}
	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
	case e.Location != "":
		fmt.Fprintf(&b, ": a redirect to %q, not followed", e.Location)
	case !e.Google:
		api := e.API
		if api == "" {
			api = "Google"
		}
		fmt.Fprintf(&b, " (not %s's JSON error: is the endpoint right?)", api)
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

// newError reads Google's error ({"error": {"code", "message", "status"}})
// from a non-2xx answer; token is cut out of every text kept.
func (c *Client) newError(resp *http.Response, body []byte, token string) *Error {
	e := &Error{API: c.API, StatusCode: resp.StatusCode, HTTPStatus: resp.Status}
	var g struct {
		Error *struct {
			Message string `json:"message"`
			Status  string `json:"status"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &g) == nil && g.Error != nil && (validStatus(g.Error.Status) || g.Error.Message != "") {
		e.Google, e.Message = true, Clip(g.Error.Message, token)
		if validStatus(g.Error.Status) {
			e.Status = g.Error.Status
		}
	} else {
		e.Body = Clip(string(body), token)
	}
	if e.Status == "" {
		e.Status = impliedStatus[resp.StatusCode]
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Location = Clip(resp.Header.Get("Location"), token)
	}
	e.Hint = c.Hints[e.Status]
	return e
}

// impliedStatus names the status of an answer without Google's JSON error
// (a proxy's page): only those a caller retries or may take as a conflict
// (not 404: a proxy's 404 is no missing document).
var impliedStatus = map[int]string{
	http.StatusUnauthorized:        "UNAUTHENTICATED",
	http.StatusForbidden:           "PERMISSION_DENIED",
	http.StatusPreconditionFailed:  "FAILED_PRECONDITION",
	http.StatusTooManyRequests:     "RESOURCE_EXHAUSTED",
	http.StatusInternalServerError: "INTERNAL",
	http.StatusBadGateway:          "UNAVAILABLE",
	http.StatusServiceUnavailable:  "UNAVAILABLE",
	http.StatusGatewayTimeout:      "DEADLINE_EXCEEDED",
}

// validStatus: a status name is upper-case letters and underscores.
func validStatus(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && c != '_' {
			return false
		}
	}
	return true
}

// Clip makes s fit for an error's text: one line (runs of spaces and
// control characters as one space), at most MaxMessage bytes (then "…"),
// secret (the access token, never expected there) replaced by [redacted].
func Clip(s, secret string) string {
	if secret != "" {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if len(s) > MaxMessage {
		s = strings.ToValidUTF8(s[:MaxMessage], "") + "…"
	}
	return s
}
