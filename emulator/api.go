package emulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// SendPath is the Bot API's send-message endpoint.
const SendPath = "/bot/send-message"

// MaxSendBytes bounds a send-message body.
const MaxSendBytes = 64 << 10

// Reasons a send-message call is rejected, matched with errors.Is. The
// reason is sent back in the body as {"success":false,"error":"..."}.
var (
	ErrBadKey      = errors.New("invalid X-App-Key")
	ErrMalformed   = errors.New("malformed body")
	ErrUnknownUID  = errors.New("unknown uid")
	ErrTooLarge    = errors.New("body too large")
	ErrContentType = errors.New("Content-Type must be application/json")
	ErrFault       = errors.New("injected fault")
)

// SendRequest is the documented send-message body.
type SendRequest struct {
	UID     int64           `json:"uid"`
	Message handler.Message `json:"message"`
}

// ParseSend checks a send-message body against the documented shape: a
// numeric uid and a message object with text or media, whose buttons each
// have text and exactly one of callbackData or url. Unknown fields are
// allowed. Errors wrap ErrMalformed and never quote the body.
func ParseSend(body []byte) (SendRequest, error) {
	var raw struct {
		UID     json.RawMessage  `json:"uid"`
		Message *json.RawMessage `json:"message"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return SendRequest{}, malformed("body is not a JSON object")
	}
	var req SendRequest
	if len(raw.UID) == 0 || json.Unmarshal(raw.UID, &req.UID) != nil {
		return req, malformed(`"uid" must be a whole number`)
	}
	if req.UID <= 0 {
		return req, malformed(`"uid" must be positive`)
	}
	if raw.Message == nil || len(*raw.Message) == 0 || (*raw.Message)[0] != '{' {
		return req, malformed(`"message" must be an object`)
	}
	dec := json.NewDecoder(bytes.NewReader(*raw.Message))
	if err := dec.Decode(&req.Message); err != nil {
		return req, malformed(`"message" has a field of the wrong type`)
	}
	m := req.Message
	if m.Text == "" && len(m.Media) == 0 {
		return req, malformed(`"message" needs "text" or "media"`)
	}
	for i, row := range m.ButtonMarkup {
		if len(row) == 0 {
			return req, malformed(fmt.Sprintf("buttonMarkup row %d is empty", i+1))
		}
		for j, b := range row {
			where := fmt.Sprintf("button %d of row %d", j+1, i+1)
			if b.Text == "" {
				return req, malformed(where + ` has no "text"`)
			}
			if (b.CallbackData == "") == (b.URL == "") {
				return req, malformed(where + ` needs exactly one of "callbackData" or "url"`)
			}
		}
	}
	return req, nil
}

func malformed(why string) error { return fmt.Errorf("%w: %s", ErrMalformed, why) }

// serveSend is the Bot API side: POST /bot/send-message.
func (e *Emulator) serveSend(w http.ResponseWriter, r *http.Request) {
	start := e.clock.Now()
	body, req, status, err := e.admit(r, w.Header())
	var resp string
	if err != nil {
		resp = fmt.Sprintf(`{"success":false,"error":%s}`, strconv.Quote(err.Error()))
	} else {
		id := e.store.addChat(ChatEntry{UID: req.UID, From: FromBot, Text: req.Message.Text,
			Buttons: req.Message.ButtonMarkup, Media: req.Message.Media, At: e.clock.Now()})
		resp = fmt.Sprintf(`{"success":true,"messageId":"%024x"}`, id)
	}
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, resp+"\n")
	e.logAPI(r, body, req.UID, req.Message.Text, status, resp, err, e.clock.Now().Sub(start))
}

// admit runs the checks in order (endpoint, method, key, Content-Type, size,
// body shape, known uid, injected faults, rate limits) and returns the
// status to answer. Only a call that passes them all uses up a rate-limit slot.
func (e *Emulator) admit(r *http.Request, h http.Header) ([]byte, SendRequest, int, error) {
	body, status, err := e.readSend(r)
	if err != nil {
		return body, SendRequest{}, status, err
	}
	req, err := ParseSend(body)
	if err != nil {
		return body, req, http.StatusBadRequest, err
	}
	if _, ok := e.store.user(req.UID); !ok {
		return body, req, http.StatusBadRequest,
			fmt.Errorf("%w %d: no user with this uid in the emulator", ErrUnknownUID, req.UID)
	}
	if status, err := e.fault(r); err != nil {
		return body, req, status, err
	}
	var rl *RateLimitError
	if err := e.limits.take(e.clock.Now(), req.UID); errors.As(err, &rl) {
		h.Set("Retry-After", strconv.Itoa(rl.RetryAfterSeconds()))
		return body, req, http.StatusTooManyRequests, err
	}
	return body, req, http.StatusOK, nil
}

// readSend checks the method, key, Content-Type and size, and reads the body.
func (e *Emulator) readSend(r *http.Request) ([]byte, int, error) {
	if r.URL.Path != SendPath {
		return nil, http.StatusNotFound, fmt.Errorf("unknown endpoint %s: the Bot API has %s", r.URL.Path, SendPath)
	}
	if r.Method != http.MethodPost {
		return nil, http.StatusMethodNotAllowed, errors.New("method must be POST")
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(handler.HeaderAppKey)), []byte(e.token)) != 1 {
		return nil, http.StatusUnauthorized, ErrBadKey
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, http.StatusUnsupportedMediaType, ErrContentType
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxSendBytes+1))
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("%w: could not read the body", ErrMalformed)
	}
	if len(body) > MaxSendBytes {
		return body[:MaxSendBytes], http.StatusRequestEntityTooLarge, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxSendBytes)
	}
	return body, 0, nil
}

// fault applies the injected faults: latency first, then a status.
func (e *Emulator) fault(r *http.Request) (int, error) {
	f := e.store.getSettings().Faults
	if f.LatencyMS > 0 {
		t := time.NewTimer(time.Duration(f.LatencyMS) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return http.StatusServiceUnavailable, fmt.Errorf("%w: the bot gave up during the injected latency", ErrFault)
		}
	}
	if f.Status != 0 {
		return f.Status, fmt.Errorf("%w: answering %d as the fault switch says", ErrFault, f.Status)
	}
	return 0, nil
}

// logAPI records one API call, accepted or not, with the token redacted.
func (e *Emulator) logAPI(r *http.Request, body []byte, uid int64, text string, status int, resp string, err error, d time.Duration) {
	key := "(missing)"
	if r.Header.Get(handler.HeaderAppKey) != "" {
		key = Redacted
		if errors.Is(err, ErrBadKey) {
			key = "(wrong key, not shown)"
		}
	}
	entry := LogEntry{
		Kind: KindAPI, At: e.clock.Now(), UID: uid, OK: err == nil, Status: status,
		LatencyMS: float64(d.Microseconds()) / 1000,
		Summary:   apiSummary(r, uid, text, err),
		Request: Exchange{Method: r.Method, URL: r.URL.Path, Body: shown(redact(string(body), e.token)),
			Header: map[string]string{handler.HeaderAppKey: key, "Content-Type": r.Header.Get("Content-Type")}},
		Response: Exchange{Status: status, Body: resp},
	}
	if err != nil {
		entry.Reason = redact(err.Error(), e.token)
	}
	e.store.addLog(entry)
}

// apiSummary is the log's one-line description of an API call.
func apiSummary(r *http.Request, uid int64, text string, err error) string {
	switch {
	case r.URL.Path != SendPath || r.Method != http.MethodPost:
		return r.Method + " " + r.URL.Path
	case uid == 0:
		return "send-message"
	case err != nil || text == "":
		return fmt.Sprintf("send-message to %d", uid)
	}
	return fmt.Sprintf("send-message to %d: %q", uid, excerpt(text, 40))
}
